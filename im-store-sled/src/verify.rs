//! An integrity check of the indexes against the records (what SQLite's
//! `integrity_check` is to its file): every index entry names a stored
//! message at that position, and every message has its history and
//! sequence entries. The crash-safety test runs it after each kill.

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
            let (key, _) = entry?;
            let Some(end) = key.iter().position(|b| *b == 0xFF) else {
                problems.push(format!("posting {key:02x?} has no term end"));
                continue;
            };
            points_at(
                &mut problems,
                "posting",
                &keys::decode_posting_key(&key, end + 1)?,
            )?;
        }
        for entry in read::scan(self, &[keys::MESSAGE]) {
            let (_, value) = entry?;
            let (conv, json) = keys::split_message_value(&value)?;
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
        }
        Ok(problems)
    }
}
