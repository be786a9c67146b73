//! An integrity check of the indexes against the records (what SQLite's
//! `integrity_check` is to its file): every index entry names a stored
//! message at that position, every posted row a message holding the term,
//! and every message has its history, sequence and row entries and is
//! posted under each of its terms. The crash-safety test runs it after
//! each kill.

use im_store::{MessagePos, StoreResult};

use crate::{SledStore, keys, read};

impl SledStore {
    /// Every disagreement between the indexes and the messages, described;
    /// empty when the store is sound. Reads the whole store.
    ///
    /// # Errors
    /// A read failure or an undecodable record.
    pub fn verify_indexes(&self) -> StoreResult<Vec<String>> {
        let mut problems = Vec::new();
        let points_at =
            |problems: &mut Vec<String>, what: &str, pos: &MessagePos| -> StoreResult<()> {
                match read::message_entry(self, &pos.msg_id)? {
                    Some((_, m)) if MessagePos::of(&m).as_ref() == Some(pos) => {}
                    Some(_) => problems.push(format!(
                        "{what} entry {pos:?} is not the message's position"
                    )),
                    None => problems.push(format!("{what} entry {pos:?} names no message")),
                }
                Ok(())
            };
        for entry in read::scan(self, &[keys::HISTORY]) {
            points_at(
                &mut problems,
                "history",
                &keys::decode_history_key(&entry?.0)?,
            )?;
        }
        for entry in read::scan(self, &[keys::SEQ]) {
            points_at(&mut problems, "sequence", &keys::decode_seq_key(&entry?.0)?)?;
        }
        for entry in read::scan(self, &[keys::SENDING]) {
            points_at(
                &mut problems,
                "send queue",
                &keys::decode_sending_key(&entry?.0)?,
            )?;
        }
        for entry in read::scan(self, &[keys::POSTING]) {
            let (key, bitmap) = entry?;
            let Some(end) = key.iter().position(|b| *b == 0xFF) else {
                problems.push(format!("posting {key:02x?} has no term end"));
                continue;
            };
            let term = String::from_utf8_lossy(&key[1..end]).into_owned();
            for row in keys::block_rows(&key, &bitmap)? {
                match read::message_of_row(self, row) {
                    Ok((_, m)) if crate::search::indexed_terms(&m).contains(&term) => {}
                    Ok(_) => problems.push(format!("row {row} is posted under {term:?} it lacks")),
                    Err(e) => problems.push(format!("posting {term:?}: {e}")),
                }
            }
        }
        for entry in read::scan(self, &[keys::MESSAGE]) {
            let (_, value) = entry?;
            let (conv, row, json) = keys::split_message_value(&value)?;
            let message: im_model::Message =
                serde_json::from_slice(json).map_err(|e| im_store::StoreError::Corrupt {
                    details: format!("a stored message does not decode: {e}"),
                })?;
            let Some(pos) = MessagePos::of(&message) else {
                problems.push("a stored message has no id".into());
                continue;
            };
            if self.get(&keys::history_key(&conv, &pos))?.is_none() {
                problems.push(format!("message {} has no history entry", pos.msg_id));
            }
            if self.get(&keys::seq_key(&conv, &pos))?.is_none() {
                problems.push(format!("message {} has no sequence entry", pos.msg_id));
            }
            if self.get(&keys::row_key(row))?.as_deref() != Some(pos.msg_id.as_bytes()) {
                problems.push(format!("message {} is not its row {row}'s", pos.msg_id));
            }
            for term in crate::search::indexed_terms(&message) {
                let (block, bit) = keys::posting_block(&term, row);
                let posted = self.get(&block)?.is_some_and(|b| {
                    b.get(bit / 8)
                        .is_some_and(|byte| byte & (1 << (bit % 8)) != 0)
                });
                if !posted {
                    problems.push(format!(
                        "message {} is not posted under {term:?}",
                        pos.msg_id
                    ));
                }
            }
        }
        Ok(problems)
    }
}
