//! The key layout: every record and index entry lives in one sled tree,
//! under a one-byte namespace, with fixed-layout big-endian keys so that a
//! range scan returns what a query needs in order, without sorting.
//!
//! | namespace | key after the byte | value |
//! |---|---|---|
//! | `M` meta | name (`schema`, `unread`) | u64 |
//! | `S` setting | setting name | its value |
//! | `C` conversation | conv key | its list key |
//! | `L` list | list key | the conversation (JSON) |
//! | `V` version | version, conv key | — |
//! | `g` group listing | group name, `0xFF`, list key | — |
//! | `k` mark listing | mark bit, list key | — |
//! | `G` group order | ordinal | group name |
//! | `N` group name | name | ordinal |
//! | `K` group members | name | how many conversations name it |
//! | `m` message | message id | conv prefix, row, message body ([`crate::body`]) |
//! | `x` row column | column block (row / 64) | the search documents of its 64 rows |
//! | `r` row (layout 1) | row | one row's search document; migrated into `x` |
//! | `h` history | conv prefix, time, seq, message id | flags |
//! | `q` sequence (groups only) | conv prefix, seq, time, message id | flags |
//! | `o` sending | time, seq, message id | conv key |
//! | `t` position | time, seq, message id | row |
//! | `w` search postings | term, `0xFF`, block | the block's rows: their places, or a bitmap of its 256 rows |
//!
//! - A *conv key* is the type byte then the peer id's bytes; a *conv
//!   prefix* puts its length first (a peer id is at most 127 bytes), so the
//!   keys of one conversation share a prefix no other conversation's start
//!   with.
//! - Integers are big-endian `u64`, so byte order is numeric order.
//! - A *list key* orders as [`ListKey`]: pinned first (`0` before `1`),
//!   newer activity first (`u64::MAX - time`), then the larger id first
//!   (`255 - type`, the peer's bytes inverted, then `0xFF`: an inverted byte
//!   is never `0xFF` since peer ids hold no control characters, so a longer
//!   id sorts before its own prefix, as descending order wants).
//! - History keys order as [`MessagePos`] (time, seq, message id); a
//!   message id is always last, so its bytes need no terminator.
//! - A *row* is a message's number in insertion order (`M/rows` is the
//!   next), kept for its life; search postings are bitmaps over blocks of
//!   256 rows, so a term costs one small entry per block it occurs in
//!   rather than one per message.
//! - A row's *search document* (conv prefix, time, seq, id, normalized
//!   fields) lives in its column block with those of the 63 rows beside
//!   it: checking the candidates of a search costs one read per block that
//!   holds any, not one per candidate, and a block (about 8 KB) is small
//!   enough that rewriting it on a single send costs what a page write
//!   does in SQLite.
//! - A search term is UTF-8 and never holds `0xFF`, which ends it.

use im_model::ConvId;
use im_store::{ListKey, MessagePos, StoreError, StoreResult};

/// Meta entries.
pub const META: u8 = b'M';
/// Settings.
pub const SETTING: u8 = b'S';
/// Conversation id → list key.
pub const CONV: u8 = b'C';
/// List key → conversation.
pub const LIST: u8 = b'L';
/// Version index.
pub const VERSION: u8 = b'V';
/// The list of one conversation group, in list order.
pub const GROUP_LIST: u8 = b'g';
/// The list of conversations with one mark bit, in list order.
pub const MARK_LIST: u8 = b'k';
/// Group order.
pub const GROUP_ORDER: u8 = b'G';
/// Group name → ordinal.
pub const GROUP_NAME: u8 = b'N';
/// Group member counts.
pub const GROUP_MEMBERS: u8 = b'K';
/// Message id → message.
pub const MESSAGE: u8 = b'm';
/// History index.
pub const HISTORY: u8 = b'h';
/// Sequence index.
pub const SEQ: u8 = b'q';
/// The send queue index.
pub const SENDING: u8 = b'o';
/// Every message in position order (newest-first search pages).
pub const POSITION: u8 = b't';
/// Row → search document (layout 1; layout 2 keeps them in [`COLUMN`]).
pub const ROW: u8 = b'r';
/// Column block → the search documents of its rows.
pub const COLUMN: u8 = b'x';
/// Rows per column block.
pub const COLUMN_ROWS: u64 = 64;
/// Search postings.
pub const POSTING: u8 = b'w';
/// Rows per posting block.
pub const BLOCK_ROWS: u64 = 256;
/// Bytes of a posting block's bitmap.
pub const BLOCK_BYTES: usize = (BLOCK_ROWS / 8) as usize;

/// The meta name of the layout version.
pub const SCHEMA: &str = "schema";
/// The meta name of the next row number.
pub const ROWS: &str = "rows";
/// The meta name of the maintained unread total (conversations that count
/// toward totals).
pub const UNREAD: &str = "unread";

/// Ends a search term inside a posting key.
const TERM_END: u8 = 0xFF;

fn corrupt(what: &str, key: &[u8]) -> StoreError {
    StoreError::Corrupt {
        details: format!("malformed {what} key {key:02x?}"),
    }
}

/// `namespace` followed by `rest`.
pub fn key(namespace: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(namespace);
    k.extend_from_slice(rest);
    k
}

/// A meta key.
pub fn meta(name: &str) -> Vec<u8> {
    key(META, name.as_bytes())
}

/// A `u64` value.
pub fn u64_value(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Reads a `u64` value.
///
/// # Errors
/// `Corrupt` when it is not 8 bytes.
pub fn read_u64(bytes: &[u8]) -> StoreResult<u64> {
    let array: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        details: format!("a counter of {} bytes", bytes.len()),
    })?;
    Ok(u64::from_be_bytes(array))
}

/// The conv key: type byte, peer bytes.
pub fn conv_key(id: &ConvId) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.peer().len());
    // Only C2C (1) and Group (2) are valid ids.
    k.push(id.conv_type().value() as u8);
    k.extend_from_slice(id.peer().as_bytes());
    k
}

/// Decodes a conv key.
///
/// # Errors
/// `Corrupt` when the type or the peer id is not valid.
pub fn decode_conv_key(bytes: &[u8]) -> StoreResult<ConvId> {
    let (&kind, peer) = bytes
        .split_first()
        .ok_or_else(|| corrupt("conversation", bytes))?;
    let peer = std::str::from_utf8(peer).map_err(|_| corrupt("conversation", bytes))?;
    ConvId::from_raw(i64::from(kind), peer).map_err(|_| corrupt("conversation", bytes))
}

/// The conv prefix: length, then the conv key.
pub fn conv_prefix(id: &ConvId) -> Vec<u8> {
    let k = conv_key(id);
    let mut p = Vec::with_capacity(1 + k.len());
    // At most 1 + 127 bytes (ConvId checks the peer's length).
    p.push(k.len() as u8);
    p.extend_from_slice(&k);
    p
}

/// Splits a conv prefix off the front of `bytes`.
fn take_conv_prefix(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&len, rest) = bytes.split_first()?;
    (rest.len() >= usize::from(len)).then(|| rest.split_at(usize::from(len)))
}

/// The list key of a conversation.
pub fn list_key(list: &ListKey) -> Vec<u8> {
    let peer = list.id.peer().as_bytes();
    let mut k = Vec::with_capacity(1 + 1 + 8 + 1 + peer.len() + 1);
    k.push(LIST);
    k.push(if list.pinned { 0 } else { 1 });
    k.extend_from_slice(&(u64::MAX - list.activity_time).to_be_bytes());
    k.push(255 - list.id.conv_type().value() as u8);
    k.extend(peer.iter().map(|b| 255 - b));
    k.push(0xFF);
    k
}

/// The start of a conversation group's listing.
pub fn group_list_prefix(name: &str) -> Vec<u8> {
    let mut k = key(GROUP_LIST, name.as_bytes());
    k.push(TERM_END);
    k
}

/// The start of a mark bit's listing.
pub fn mark_list_prefix(bit: u32) -> Vec<u8> {
    // Bits are 0..64.
    vec![MARK_LIST, bit as u8]
}

/// An entry of a listing: its prefix, then the list key.
pub fn listing_key(prefix: &[u8], list: &[u8]) -> Vec<u8> {
    let mut k = prefix.to_vec();
    k.extend_from_slice(list);
    k
}

/// A version index key.
pub fn version_key(version: u64, id: &ConvId) -> Vec<u8> {
    let mut k = key(VERSION, &version.to_be_bytes());
    k.extend_from_slice(&conv_key(id));
    k
}

/// The version of a version index key.
///
/// # Errors
/// `Corrupt` when too short.
pub fn version_of(bytes: &[u8]) -> StoreResult<u64> {
    bytes
        .get(1..9)
        .map(|b| u64::from_be_bytes(b.try_into().unwrap_or_default()))
        .ok_or_else(|| corrupt("version", bytes))
}

/// A group order key.
pub fn group_order_key(ordinal: u64) -> Vec<u8> {
    key(GROUP_ORDER, &ordinal.to_be_bytes())
}

/// A message key.
pub fn message_key(msg_id: &str) -> Vec<u8> {
    key(MESSAGE, msg_id.as_bytes())
}

/// The message value: conv prefix, row, then the body ([`crate::body`]).
pub fn message_value(conv: &ConvId, row: u64, body: &[u8]) -> Vec<u8> {
    let mut v = conv_prefix(conv);
    v.extend_from_slice(&row.to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// Splits a message value into its conversation, row and body.
///
/// # Errors
/// `Corrupt` when the value is malformed.
pub fn split_message_value(bytes: &[u8]) -> StoreResult<(ConvId, u64, &[u8])> {
    let (conv, rest) = take_conv_prefix(bytes).ok_or_else(|| corrupt("message value", bytes))?;
    let row = rest
        .get(..8)
        .ok_or_else(|| corrupt("message value", bytes))?;
    let row = u64::from_be_bytes(
        row.try_into()
            .map_err(|_| corrupt("message value", bytes))?,
    );
    Ok((decode_conv_key(conv)?, row, &rest[8..]))
}

/// A row key (layout 1).
pub fn row_key(row: u64) -> Vec<u8> {
    key(ROW, &row.to_be_bytes())
}

/// The row of a layout 1 row key.
///
/// # Errors
/// `Corrupt` when malformed.
pub fn decode_row_key(bytes: &[u8]) -> StoreResult<u64> {
    match bytes {
        [ROW, rest @ ..] => read_u64(rest),
        _ => Err(corrupt("row", bytes)),
    }
}

/// The column block holding `row`, and the row's place in it.
pub fn column_of(row: u64) -> (u64, u8) {
    // The place is below COLUMN_ROWS (64).
    (row / COLUMN_ROWS, (row % COLUMN_ROWS) as u8)
}

/// A column block's key.
pub fn column_key(block: u64) -> Vec<u8> {
    key(COLUMN, &block.to_be_bytes())
}

/// The block of a column key.
///
/// # Errors
/// `Corrupt` when malformed, or when the block could not hold a row.
pub fn decode_column_key(bytes: &[u8]) -> StoreResult<u64> {
    match bytes {
        [COLUMN, rest @ ..] => read_u64(rest)
            .ok()
            .filter(|block| *block <= u64::MAX / COLUMN_ROWS)
            .ok_or_else(|| corrupt("column", bytes)),
        _ => Err(corrupt("column", bytes)),
    }
}

/// Encodes a column block from its rows' documents, by place ascending:
/// each is its place, its length (`u32`) and the document ([`row_value`]).
pub fn column_value<'a>(docs: impl IntoIterator<Item = (u8, &'a [u8])>) -> Vec<u8> {
    let mut v = Vec::new();
    for (place, doc) in docs {
        v.push(place);
        // A document is a message's fields: far below 4 GiB.
        v.extend_from_slice(&(doc.len() as u32).to_be_bytes());
        v.extend_from_slice(doc);
    }
    v
}

/// The documents of a column block, by place ascending (undecoded: a
/// search decodes only those of its candidates).
///
/// # Errors
/// `Corrupt` when the block is malformed: cut short, a place out of range
/// or out of order.
pub fn decode_column(bytes: &[u8]) -> StoreResult<Vec<(u8, &[u8])>> {
    let bad = || StoreError::Corrupt {
        details: format!("malformed column block of {} bytes", bytes.len()),
    };
    let mut docs: Vec<(u8, &[u8])> = Vec::new();
    let mut rest = bytes;
    while let Some((&place, after)) = rest.split_first() {
        let (len, after) = after.split_first_chunk::<4>().ok_or_else(bad)?;
        let len = u32::from_be_bytes(*len) as usize;
        let doc = after.get(..len).ok_or_else(bad)?;
        let in_order = docs.last().is_none_or(|(last, _)| *last < place);
        if u64::from(place) >= COLUMN_ROWS || !in_order {
            return Err(bad());
        }
        docs.push((place, doc));
        rest = &after[len..];
    }
    Ok(docs)
}

/// What a row holds: where its message is, and the message's normalized
/// searchable fields, so a search checks keywords without decoding the
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDoc<'a> {
    /// The conversation.
    pub conv: ConvId,
    /// The message's position (its id included).
    pub pos: MessagePos,
    /// Its normalized searchable fields (none when it is not indexed).
    pub fields: Vec<&'a str>,
}

/// Encodes a row's document.
pub fn row_value(conv: &ConvId, pos: &MessagePos, fields: &[String]) -> Vec<u8> {
    let mut v = conv_prefix(conv);
    v.extend_from_slice(&pos.time.to_be_bytes());
    v.extend_from_slice(&pos.seq.to_be_bytes());
    for part in std::iter::once(&pos.msg_id).chain(fields) {
        // Texts are message fields: far below 4 GiB.
        v.extend_from_slice(&(part.len() as u32).to_be_bytes());
        v.extend_from_slice(part.as_bytes());
    }
    v
}

/// Decodes a row's document.
///
/// # Errors
/// `Corrupt` when malformed.
pub fn decode_row_value(bytes: &[u8]) -> StoreResult<RowDoc<'_>> {
    let parts = split_row_value(bytes)?;
    Ok(RowDoc {
        conv: decode_conv_key(parts.conv)?,
        pos: MessagePos {
            time: parts.time,
            seq: parts.seq,
            msg_id: parts.msg_id.to_owned(),
        },
        fields: parts.fields,
    })
}

/// A row's document, borrowed: what a search reads of every candidate,
/// without an allocation for its conversation or id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowParts<'a> {
    /// The conv key.
    pub conv: &'a [u8],
    /// The message's time.
    pub time: u64,
    /// Its sequence.
    pub seq: u64,
    /// Its id.
    pub msg_id: &'a str,
    /// Its normalized searchable fields.
    pub fields: Vec<&'a str>,
}

/// Splits a row's document into its parts.
///
/// # Errors
/// `Corrupt` when malformed.
pub fn split_row_value(bytes: &[u8]) -> StoreResult<RowParts<'_>> {
    let bad = || corrupt("row value", bytes);
    let (conv, rest) = take_conv_prefix(bytes).ok_or_else(bad)?;
    let number = |at: usize| -> Option<u64> {
        Some(u64::from_be_bytes(rest.get(at..at + 8)?.try_into().ok()?))
    };
    let (time, seq) = (number(0).ok_or_else(bad)?, number(8).ok_or_else(bad)?);
    let mut parts = Vec::new();
    let mut at = 16;
    while at < rest.len() {
        let len = rest
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or_else(bad)? as usize;
        let text = rest.get(at + 4..at + 4 + len).ok_or_else(bad)?;
        parts.push(std::str::from_utf8(text).map_err(|_| bad())?);
        at += 4 + len;
    }
    if parts.is_empty() {
        return Err(bad());
    }
    let msg_id = parts.remove(0);
    Ok(RowParts {
        conv,
        time,
        seq,
        msg_id,
        fields: parts,
    })
}

fn push_pos(k: &mut Vec<u8>, first: u64, second: u64, msg_id: &str) {
    k.extend_from_slice(&first.to_be_bytes());
    k.extend_from_slice(&second.to_be_bytes());
    k.extend_from_slice(msg_id.as_bytes());
}

/// The start of a conversation's history keys.
pub fn history_prefix(conv: &ConvId) -> Vec<u8> {
    key(HISTORY, &conv_prefix(conv))
}

/// A history key.
pub fn history_key(conv: &ConvId, pos: &MessagePos) -> Vec<u8> {
    let mut k = history_prefix(conv);
    push_pos(&mut k, pos.time, pos.seq, &pos.msg_id);
    k
}

/// The history key bound at `time` (and sequence 0): every key of that
/// time or later is at or after it.
pub fn history_time_bound(conv: &ConvId, time: u64) -> Vec<u8> {
    let mut k = history_prefix(conv);
    k.extend_from_slice(&time.to_be_bytes());
    k
}

/// The position a history key holds.
///
/// # Errors
/// `Corrupt` when malformed.
pub fn decode_history_key(bytes: &[u8]) -> StoreResult<MessagePos> {
    let rest = bytes
        .get(1..)
        .and_then(take_conv_prefix)
        .map(|(_, rest)| rest)
        .ok_or_else(|| corrupt("history", bytes))?;
    let (time, seq, msg_id) = split_pos(rest).ok_or_else(|| corrupt("history", bytes))?;
    Ok(MessagePos { time, seq, msg_id })
}

fn split_pos(rest: &[u8]) -> Option<(u64, u64, String)> {
    let first = u64::from_be_bytes(rest.get(0..8)?.try_into().ok()?);
    let second = u64::from_be_bytes(rest.get(8..16)?.try_into().ok()?);
    let id = std::str::from_utf8(rest.get(16..)?).ok()?.to_owned();
    Some((first, second, id))
}

/// Whether a conversation's messages have sequence keys: only a group's.
/// Tencent's sequence anchors, sequence lists and read sequences are for
/// groups (a C2C conversation is read by time), so a C2C message saves the
/// entry, one of the two per-conversation index entries that make most of
/// sled's disk use; a C2C lookup by sequence scans the conversation's
/// history instead.
pub fn has_seq_keys(conv: &ConvId) -> bool {
    conv.conv_type() == im_model::ConvType::Group
}

/// The conversation of a sequence key.
///
/// # Errors
/// `Corrupt` when malformed.
pub fn seq_key_conv(bytes: &[u8]) -> StoreResult<ConvId> {
    let (conv, _) = bytes
        .get(1..)
        .and_then(take_conv_prefix)
        .ok_or_else(|| corrupt("sequence", bytes))?;
    decode_conv_key(conv)
}

/// The start of a conversation's sequence keys.
pub fn seq_prefix(conv: &ConvId) -> Vec<u8> {
    key(SEQ, &conv_prefix(conv))
}

/// A sequence key: seq, then history order.
pub fn seq_key(conv: &ConvId, pos: &MessagePos) -> Vec<u8> {
    let mut k = seq_prefix(conv);
    push_pos(&mut k, pos.seq, pos.time, &pos.msg_id);
    k
}

/// The sequence key bound at `seq`: every key with that sequence or a
/// larger one is at or after it.
pub fn seq_bound(conv: &ConvId, seq: u64) -> Vec<u8> {
    let mut k = seq_prefix(conv);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The position a sequence key holds.
///
/// # Errors
/// `Corrupt` when malformed.
pub fn decode_seq_key(bytes: &[u8]) -> StoreResult<MessagePos> {
    let rest = bytes
        .get(1..)
        .and_then(take_conv_prefix)
        .map(|(_, rest)| rest)
        .ok_or_else(|| corrupt("sequence", bytes))?;
    let (seq, time, msg_id) = split_pos(rest).ok_or_else(|| corrupt("sequence", bytes))?;
    Ok(MessagePos { time, seq, msg_id })
}

/// A send queue key.
pub fn sending_key(pos: &MessagePos) -> Vec<u8> {
    let mut k = vec![SENDING];
    push_pos(&mut k, pos.time, pos.seq, &pos.msg_id);
    k
}

/// A position key (every message, position order).
pub fn position_key(pos: &MessagePos) -> Vec<u8> {
    let mut k = vec![POSITION];
    push_pos(&mut k, pos.time, pos.seq, &pos.msg_id);
    k
}

/// The position of a send queue or position key (the same layout after
/// the namespace byte).
///
/// # Errors
/// `Corrupt` when malformed.
pub fn decode_sending_key(bytes: &[u8]) -> StoreResult<MessagePos> {
    let (time, seq, msg_id) = bytes
        .get(1..)
        .and_then(split_pos)
        .ok_or_else(|| corrupt("sending", bytes))?;
    Ok(MessagePos { time, seq, msg_id })
}

/// The start of a term's postings.
pub fn posting_prefix(term: &str) -> Vec<u8> {
    let mut k = key(POSTING, term.as_bytes());
    k.push(TERM_END);
    k
}

/// The posting block of `term` holding `row`, and the row's bit in it.
pub fn posting_block(term: &str, row: u64) -> (Vec<u8>, usize) {
    let mut k = posting_prefix(term);
    k.extend_from_slice(&(row / BLOCK_ROWS).to_be_bytes());
    (k, (row % BLOCK_ROWS) as usize)
}

/// The rows a posting block's bitmap holds, ascending.
///
/// # Errors
/// `Corrupt` when the key or the bitmap is malformed.
pub fn block_rows(key: &[u8], bitmap: &[u8]) -> StoreResult<Vec<u64>> {
    let (block, bitmap) = decode_block(key, bitmap)?;
    Ok((0..BLOCK_ROWS as usize)
        .filter(|bit| bit_is_set(&bitmap, *bit))
        .map(|bit| block * BLOCK_ROWS + bit as u64)
        .collect())
}

/// A posting block's number (the key's last 8 bytes) and bitmap.
///
/// # Errors
/// `Corrupt` when the key is too short, the block number could not come
/// from a row, or the value is malformed ([`read_bitmap`]).
pub fn decode_block(key: &[u8], bitmap: &[u8]) -> StoreResult<(u64, [u8; BLOCK_BYTES])> {
    let block = key
        .len()
        .checked_sub(8)
        .and_then(|at| key.get(at..))
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
        .filter(|block| *block <= u64::MAX / BLOCK_ROWS)
        .ok_or_else(|| corrupt("posting", key))?;
    Ok((block, read_bitmap(bitmap)?))
}

/// A block's rows as stored: a block holding fewer than [`BLOCK_BYTES`]
/// rows keeps their places (one byte each, ascending), a fuller one its
/// bitmap, so a rare term (most character pairs and triples of CJK text)
/// costs a byte a row rather than a whole bitmap. The length tells the
/// two apart.
pub fn posting_value(bitmap: &[u8; BLOCK_BYTES]) -> Vec<u8> {
    let rows: usize = bitmap.iter().map(|b| b.count_ones() as usize).sum();
    if rows >= BLOCK_BYTES {
        return bitmap.to_vec();
    }
    (0..BLOCK_ROWS as usize)
        .filter(|bit| bit_is_set(bitmap, *bit))
        // A place is below BLOCK_ROWS (256).
        .map(|bit| bit as u8)
        .collect()
}

/// The bitmap of a stored block ([`posting_value`]).
///
/// # Errors
/// `Corrupt` when it is empty, longer than a bitmap, or a list of places
/// not strictly ascending.
pub fn read_bitmap(bytes: &[u8]) -> StoreResult<[u8; BLOCK_BYTES]> {
    if let Ok(bitmap) = <[u8; BLOCK_BYTES]>::try_from(bytes) {
        return Ok(bitmap);
    }
    let ascending = bytes.windows(2).all(|w| w[0] < w[1]);
    if bytes.is_empty() || bytes.len() > BLOCK_BYTES || !ascending {
        return Err(corrupt("posting value", bytes));
    }
    let mut bitmap = [0; BLOCK_BYTES];
    for place in bytes {
        bitmap[usize::from(*place) / 8] |= 1 << (place % 8);
    }
    Ok(bitmap)
}

/// Whether bit `bit` (a row's place in its block) is set.
pub fn bit_is_set(bitmap: &[u8; BLOCK_BYTES], bit: usize) -> bool {
    bitmap[bit / 8] & (1 << (bit % 8)) != 0
}

/// The key right after every key starting with `prefix` (for exclusive
/// range ends); `None` when there is none (a prefix of `0xFF`s).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use im_model::ConvType;

    use super::*;

    fn conv_id() -> impl Strategy<Value = ConvId> {
        (
            prop_oneof![Just(ConvType::C2C), Just(ConvType::Group)],
            "[a-zA-Z0-9_\\-@.中文ｱ]{1,12}",
        )
            .prop_map(|(t, peer)| ConvId::new(t, peer).unwrap())
    }

    fn pos() -> impl Strategy<Value = MessagePos> {
        // Small ranges so ties on time and seq are common.
        (0u64..4, 0u64..4, "[a-c0-9中]{0,4}").prop_map(|(time, seq, msg_id)| MessagePos {
            time,
            seq,
            msg_id,
        })
    }

    fn edge_time() -> impl Strategy<Value = u64> {
        prop_oneof![0u64..3, Just(u64::MAX - 1), Just(u64::MAX), any::<u64>()]
    }

    fn doc_fields(fields: &[String]) -> Vec<&str> {
        fields.iter().map(String::as_str).collect()
    }

    #[test]
    fn test_codecs_round_trip() {
        let conv = ConvId::group("团队-1").unwrap();
        assert_eq!(decode_conv_key(&conv_key(&conv)).unwrap(), conv);
        let pos = MessagePos {
            time: 1_700_000_000,
            seq: 42,
            msg_id: "id-1".into(),
        };
        assert_eq!(decode_history_key(&history_key(&conv, &pos)).unwrap(), pos);
        assert_eq!(decode_seq_key(&seq_key(&conv, &pos)).unwrap(), pos);
        assert_eq!(decode_sending_key(&sending_key(&pos)).unwrap(), pos);
        let (block, bit) = posting_block("饭", 3 * BLOCK_ROWS + 9);
        assert!(block.starts_with(&posting_prefix("饭")));
        let mut bitmap = [0u8; BLOCK_BYTES];
        bitmap[bit / 8] |= 1 << (bit % 8);
        bitmap[0] |= 1;
        assert_eq!(
            block_rows(&block, &bitmap).unwrap(),
            [3 * BLOCK_ROWS, 3 * BLOCK_ROWS + 9]
        );
        let value = message_value(&conv, 77, b"{}");
        let (back, row, json) = split_message_value(&value).unwrap();
        assert_eq!((back, row, json), (conv.clone(), 77, &b"{}"[..]));
        assert_eq!(row_key(5), [b'r', 0, 0, 0, 0, 0, 0, 0, 5]);
        let fields = vec!["明天吃饭".to_owned(), String::new(), "lunch".to_owned()];
        let doc = row_value(&conv, &pos, &fields);
        assert_eq!(
            decode_row_value(&doc).unwrap(),
            RowDoc {
                conv: conv.clone(),
                pos,
                fields: vec!["明天吃饭", "", "lunch"]
            }
        );
        // A cut value never panics: it is refused, or (cut at a field's
        // end) it holds fewer of the same fields.
        for cut in 0..doc.len() {
            match decode_row_value(&doc[..cut]) {
                Ok(short) => {
                    assert!(short.fields.len() < 3, "{cut}");
                    assert_eq!(short.fields[..], doc_fields(&fields)[..short.fields.len()]);
                }
                Err(e) => assert!(matches!(e, StoreError::Corrupt { .. }), "{cut}: {e:?}"),
            }
        }
        assert_eq!(version_of(&version_key(7, &conv)).unwrap(), 7);
        assert_eq!(read_u64(&u64_value(u64::MAX)).unwrap(), u64::MAX);
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF]), None);
    }

    #[test]
    fn test_malformed_keys_are_corrupt_not_panics() {
        for bad in [&b""[..], b"h", b"h\x05ab", b"h\x01\x01short", b"\x00"] {
            assert!(
                matches!(decode_history_key(bad), Err(StoreError::Corrupt { .. })),
                "{bad:?}"
            );
            assert!(
                matches!(decode_seq_key(bad), Err(StoreError::Corrupt { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            decode_conv_key(b""),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            decode_conv_key(b"\x07peer"),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(read_u64(b"123"), Err(StoreError::Corrupt { .. })));
        assert!(matches!(
            split_message_value(b"\x09ab"),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            split_message_value(b"\x02\x01a\x00"),
            Err(StoreError::Corrupt { .. })
        ));
        assert!(matches!(
            block_rows(b"w", &[0; BLOCK_BYTES]),
            Err(StoreError::Corrupt { .. })
        ));
        for bad in [&[0u8; 3][..], &[5, 3], &[], &[1; BLOCK_BYTES + 1]] {
            assert!(
                matches!(
                    block_rows(&posting_block("a", 1).0, bad),
                    Err(StoreError::Corrupt { .. })
                ),
                "{bad:?}"
            );
        }
        // A block number no row could have would overflow the row numbers.
        let mut huge = posting_prefix("a");
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            block_rows(&huge, &[0xFF; BLOCK_BYTES]),
            Err(StoreError::Corrupt { .. })
        ));
        let (last, _) = posting_block("a", u64::MAX);
        assert_eq!(
            block_rows(&last, &[0x80; BLOCK_BYTES]).unwrap().last(),
            Some(&u64::MAX)
        );
    }

    #[test]
    fn test_column_blocks_round_trip_and_refuse_damage() {
        assert_eq!(column_of(0), (0, 0));
        assert_eq!(column_of(COLUMN_ROWS * 5 + 3), (5, 3));
        assert_eq!(decode_column_key(&column_key(9)).unwrap(), 9);
        let docs = [(0u8, &b"first"[..]), (7, b""), (63, b"last")];
        let value = column_value(docs);
        assert_eq!(decode_column(&value).unwrap(), docs);
        assert_eq!(decode_column(b"").unwrap(), []);
        let out_of_order = column_value([(5u8, &b"a"[..]), (5, b"b")]);
        let out_of_range = column_value([(64u8, &b"a"[..])]);
        for bad in [
            &value[..value.len() - 1],
            &value[..3],
            &out_of_order,
            &out_of_range,
        ] {
            assert!(
                matches!(decode_column(bad), Err(StoreError::Corrupt { .. })),
                "{bad:?}"
            );
        }
        for bad in [&b"x"[..], b"x\x00", b"r\x00\x00\x00\x00\x00\x00\x00\x01"] {
            assert!(matches!(
                decode_column_key(bad),
                Err(StoreError::Corrupt { .. })
            ));
        }
        let mut huge = vec![COLUMN];
        huge.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            decode_column_key(&huge),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(decode_row_key(&row_key(77)).unwrap(), 77);
        assert!(matches!(
            decode_row_key(&column_key(77)),
            Err(StoreError::Corrupt { .. })
        ));
    }

    proptest! {
        #[test]
        fn prop_conv_keys_round_trip(id in conv_id()) {
            prop_assert_eq!(decode_conv_key(&conv_key(&id)).unwrap(), id);
        }

        #[test]
        fn prop_list_key_order_is_list_order(
            a in (any::<bool>(), edge_time(), conv_id()),
            b in (any::<bool>(), edge_time(), conv_id()),
        ) {
            let a = ListKey { pinned: a.0, activity_time: a.1, id: a.2 };
            let b = ListKey { pinned: b.0, activity_time: b.1, id: b.2 };
            prop_assert_eq!(list_key(&a).cmp(&list_key(&b)), a.cmp(&b));
        }

        #[test]
        fn prop_history_key_order_is_position_order(conv in conv_id(), a in pos(), b in pos()) {
            prop_assert_eq!(history_key(&conv, &a).cmp(&history_key(&conv, &b)), a.cmp(&b));
            prop_assert_eq!(sending_key(&a).cmp(&sending_key(&b)), a.cmp(&b));
            prop_assert_eq!(position_key(&a).cmp(&position_key(&b)), a.cmp(&b));
            prop_assert_eq!(&decode_history_key(&history_key(&conv, &a)).unwrap(), &a);
            prop_assert_eq!(decode_sending_key(&position_key(&a)).unwrap(), a);
        }

        #[test]
        fn prop_seq_key_order_is_seq_then_position(conv in conv_id(), a in pos(), b in pos()) {
            let tuple = |p: &MessagePos| (p.seq, p.time, p.msg_id.clone());
            prop_assert_eq!(seq_key(&conv, &a).cmp(&seq_key(&conv, &b)), tuple(&a).cmp(&tuple(&b)));
            prop_assert_eq!(decode_seq_key(&seq_key(&conv, &a)).unwrap(), a);
        }

        #[test]
        fn prop_one_conversations_keys_never_mix_with_anothers(
            a in conv_id(), b in conv_id(), p in pos(),
        ) {
            prop_assume!(a != b);
            prop_assert!(!history_key(&a, &p).starts_with(&history_prefix(&b)));
            prop_assert!(!seq_key(&a, &p).starts_with(&seq_prefix(&b)));
        }

        #[test]
        fn prop_one_terms_postings_never_mix_with_anothers(
            a in "[a-z中文]{1,3}", b in "[a-z中文]{1,3}", row in any::<u64>(),
        ) {
            prop_assume!(a != b);
            prop_assert!(!posting_block(&a, row).0.starts_with(&posting_prefix(&b)));
        }

        #[test]
        fn prop_block_order_is_row_order_and_rows_round_trip(a in any::<u64>(), b in any::<u64>()) {
            let (ka, bit_a) = posting_block("报", a);
            let (kb, _) = posting_block("报", b);
            prop_assert_eq!(ka.cmp(&kb), (a / BLOCK_ROWS).cmp(&(b / BLOCK_ROWS)));
            let mut bitmap = [0u8; BLOCK_BYTES];
            bitmap[bit_a / 8] |= 1 << (bit_a % 8);
            prop_assert_eq!(block_rows(&ka, &bitmap).unwrap(), vec![a]);
        }

        #[test]
        fn prop_posting_values_round_trip_in_either_form(
            rows in proptest::collection::btree_set(0usize..BLOCK_ROWS as usize, 1..200),
        ) {
            let mut bitmap = [0u8; BLOCK_BYTES];
            for bit in &rows {
                bitmap[bit / 8] |= 1 << (bit % 8);
            }
            let value = posting_value(&bitmap);
            prop_assert_eq!(value.len(), rows.len().min(BLOCK_BYTES));
            prop_assert_eq!(read_bitmap(&value).unwrap(), bitmap);
        }

        #[test]
        fn prop_bounds_sit_before_their_keys(conv in conv_id(), p in pos()) {
            prop_assert!(history_time_bound(&conv, p.time) <= history_key(&conv, &p));
            prop_assert!(seq_bound(&conv, p.seq) <= seq_key(&conv, &p));
            if let Some(after) = p.time.checked_add(1) {
                prop_assert!(history_key(&conv, &p) < history_time_bound(&conv, after));
            }
        }
    }
}
