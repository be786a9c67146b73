//! How records map to rows: the stored JSON plus the derived, indexed columns.

use std::collections::BTreeSet;

use im_model::message::Message;
use im_model::{ConvId, MarkSet};
use im_store::search::{normalize, searchable_fields};
use im_store::{Conversation, StoreError, StoreResult, counts_as_unread};

/// SQLite integers are signed 64-bit; values above `i64::MAX` (mark bit 63,
/// huge ids) are stored with the same bits.
pub(crate) fn int(value: u64) -> i64 {
    value as i64
}

/// The inverse of [`int`].
pub(crate) fn uint(value: i64) -> u64 {
    value as u64
}

/// A time used as a query bound. Stored times never exceed
/// [`im_model::limits::MAX_TIME_SECS`] (`WriteBatch::check_times`), so any
/// larger bound compares with them exactly as `MAX_TIME_SECS + 1` does;
/// clamping keeps it a positive SQLite integer.
pub(crate) fn time_bound(secs: u64) -> i64 {
    int(secs.min(im_model::limits::MAX_TIME_SECS + 1))
}

/// `true` as 1, `false` as 0.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

pub(crate) fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        details: format!("stored JSON does not decode: {e}"),
    }
}

/// The derived columns of a conversation row.
pub(crate) struct ConvColumns {
    pub conv_type: i64,
    pub peer: String,
    pub version: i64,
    pub pinned: i64,
    pub activity_time: i64,
    pub unread: i64,
    pub counted: i64,
    pub marks: i64,
    pub hidden: i64,
    pub in_group: i64,
    pub has_at: i64,
    pub record: String,
}

impl ConvColumns {
    pub(crate) fn of(conv: &Conversation) -> StoreResult<ConvColumns> {
        Ok(ConvColumns {
            conv_type: i64::from(conv.id.conv_type().value()),
            peer: conv.id.peer().to_owned(),
            version: int(conv.version),
            pinned: flag(conv.pinned),
            activity_time: int(conv.activity_time()),
            unread: int(conv.unread_count),
            counted: flag(conv.counts_toward_total_unread()),
            marks: int(conv.marks.bits()),
            hidden: flag(conv.marks.contains(MarkSet::HIDE)),
            in_group: flag(!conv.groups.is_empty()),
            has_at: flag(!conv.group_at_infos.is_empty()),
            record: serde_json::to_string(conv).map_err(json_error)?,
        })
    }
}

/// Decodes a conversation's `record`.
pub(crate) fn conversation(record: &str) -> StoreResult<Conversation> {
    serde_json::from_str(record).map_err(json_error)
}

/// A conversation id's key columns.
pub(crate) fn conv_key(id: &ConvId) -> (i64, &str) {
    (i64::from(id.conv_type().value()), id.peer())
}

/// The conversation id of stored key columns ([`conv_key`]'s inverse); a
/// key no id can have is corruption.
pub(crate) fn conv_of(conv_type: i64, peer: &str) -> StoreResult<ConvId> {
    ConvId::from_raw(conv_type, peer).map_err(|e| StoreError::Corrupt { details: e.message })
}

/// The derived columns of a message row.
pub(crate) struct MessageColumns {
    pub time: i64,
    pub seq: i64,
    pub status: Option<i64>,
    pub sender: Option<String>,
    pub elem_mask: i64,
    pub unique_id: Option<i64>,
    pub rand: Option<i64>,
    pub counted: i64,
    pub data: String,
    /// Normalized searchable text (fields joined by newlines).
    pub body: String,
    /// The distinct one- and two-character substrings of each normalized
    /// field (a line break only when a field itself holds one, not for
    /// the joins of `body`): the character postings' grams.
    pub grams: BTreeSet<Gram>,
}

/// A one- or two-character substring of a normalized field: a gram of the
/// character postings. Two `char`s, not a `String`, because an import
/// derives dozens per message and counts them per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Gram(pub char, pub Option<char>);

impl Gram {
    /// The gram as text (`char_counts.ch`).
    pub(crate) fn text(self) -> String {
        self.1
            .map_or_else(|| self.0.to_string(), |b| [self.0, b].iter().collect())
    }
}

/// Bit of an element kind in `elem_mask` (kinds -1..=12 map to bits
/// 0..=13); a kind this version does not know has no bit, so it matches
/// nothing, as in the reference.
pub(crate) fn elem_bit(kind: im_model::ElemType) -> i64 {
    match i64::from(kind.value()) {
        v @ -1..=12 => 1 << (v + 1),
        _ => 0,
    }
}

impl MessageColumns {
    pub(crate) fn of(message: &Message) -> StoreResult<MessageColumns> {
        let elem_mask = message
            .elems()
            .iter()
            .filter_map(im_model::Elem::elem_type)
            .fold(0, |mask, kind| mask | elem_bit(kind));
        let fields: Vec<String> = searchable_fields(message)
            .iter()
            .map(|f| normalize(f.text))
            .collect();
        let grams = fields.iter().flat_map(|f| grams_of(f)).collect();
        let body = fields.join("\n");
        Ok(MessageColumns {
            time: int(message.timestamp()),
            seq: int(message.seq.unwrap_or(0)),
            status: message.status.map(|s| i64::from(s.value())),
            sender: message.sender.clone(),
            elem_mask,
            unique_id: message.unique_id.map(int),
            rand: message.rand.map(int),
            counted: flag(counts_as_unread(message)),
            data: serde_json::to_string(message).map_err(json_error)?,
            body,
            grams,
        })
    }
}

/// The distinct characters and adjacent character pairs of `field`.
fn grams_of(field: &str) -> impl Iterator<Item = Gram> + '_ {
    let mut chars = field.chars().peekable();
    std::iter::from_fn(move || {
        let a = chars.next()?;
        Some((a, chars.peek().copied()))
    })
    .flat_map(|(a, next)| std::iter::once(Gram(a, None)).chain(next.map(|b| Gram(a, Some(b)))))
}

/// Decodes a message's `data`.
pub(crate) fn message(data: &str) -> StoreResult<Message> {
    serde_json::from_str(data).map_err(json_error)
}
