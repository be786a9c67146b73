//! An integrity check of the indexes against the records (what SQLite's
//! `integrity_check` is to its file): every index entry names a stored
//! message at that position, every posted row a message holding the term,
//! every search document a message stored under its row, and every
//! message has its history, sequence and position entries and its row's
//! document, and is posted under each of its terms. The crash-safety test runs it after
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
        let _read = self.lock_reader();
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
            let key = entry?.0;
            if !keys::has_seq_keys(&keys::seq_key_conv(&key)?) {
                problems.push(format!("a C2C message has a sequence entry {key:02x?}"));
            }
            points_at(&mut problems, "sequence", &keys::decode_seq_key(&key)?)?;
        }
        for entry in read::scan(self, &[keys::SENDING]) {
            points_at(
                &mut problems,
                "send queue",
                &keys::decode_sending_key(&entry?.0)?,
            )?;
        }
        for entry in read::scan(self, &[keys::POSITION]) {
            points_at(
                &mut problems,
                "position",
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
                let Some(doc) = read::row_document(self, row)? else {
                    problems.push(format!(
                        "posting {term:?} names row {row}, which has no document"
                    ));
                    continue;
                };
                let doc = keys::decode_row_value(&doc)?;
                match read::message_entry(self, &doc.pos.msg_id)? {
                    Some((_, m))
                        if crate::search::terms(&crate::search::indexed_fields(&m))
                            .contains(&term.as_str()) => {}
                    Some(_) => {
                        problems.push(format!("row {row} is posted under {term:?} it lacks"))
                    }
                    None => problems.push(format!(
                        "posting {term:?} names row {row}, whose message is not stored"
                    )),
                }
            }
        }
        for entry in read::scan(self, &[keys::COLUMN]) {
            let (key, value) = entry?;
            let block = keys::decode_column_key(&key)?;
            for (place, doc) in keys::decode_column(&value)? {
                let row = block * keys::COLUMN_ROWS + u64::from(place);
                let doc = keys::decode_row_value(doc)?;
                match self.get(&keys::message_key(&doc.pos.msg_id))? {
                    Some(value) if keys::split_message_value(&value)?.1 == row => {}
                    Some(_) => problems.push(format!(
                        "row {row}'s document names message {}, stored under another row",
                        doc.pos.msg_id
                    )),
                    None => problems.push(format!(
                        "row {row}'s document names message {}, which is not stored",
                        doc.pos.msg_id
                    )),
                }
            }
        }
        if read::scan(self, &[keys::ROW]).next().is_some() {
            problems.push("layout 1 row documents are left after the migration".into());
        }
        for (namespace, what) in [(keys::GROUP_LIST, "group"), (keys::MARK_LIST, "mark")] {
            for entry in read::scan(self, &[namespace]) {
                let (key, _) = entry?;
                // A group listing's prefix ends at its name's end marker; a
                // mark listing's is the namespace and the bit.
                let split = match namespace {
                    keys::GROUP_LIST => key.iter().position(|b| *b == 0xFF).map(|end| end + 1),
                    _ => Some(2),
                };
                let Some(at) = split.filter(|at| *at < key.len()) else {
                    problems.push(format!("{what} listing {key:02x?} holds no list key"));
                    continue;
                };
                let list = &key[at..];
                let Some(record) = self.get(list)? else {
                    problems.push(format!("{what} listing {key:02x?} names no conversation"));
                    continue;
                };
                let conv: im_store::Conversation =
                    serde_json::from_slice(&record).map_err(|e| im_store::StoreError::Corrupt {
                        details: format!("a stored conversation does not decode: {e}"),
                    })?;
                let prefix = &key[..at];
                if !crate::write::listings(&conv)
                    .iter()
                    .any(|p| p.as_slice() == prefix)
                {
                    problems.push(format!(
                        "{} is in a {what} listing it does not belong to",
                        conv.id
                    ));
                }
            }
        }
        for entry in read::scan(self, &[keys::LIST]) {
            let (list, record) = entry?;
            let conv: im_store::Conversation =
                serde_json::from_slice(&record).map_err(|e| im_store::StoreError::Corrupt {
                    details: format!("a stored conversation does not decode: {e}"),
                })?;
            for prefix in crate::write::listings(&conv) {
                if self.get(&keys::listing_key(&prefix, &list))?.is_none() {
                    problems.push(format!("{} is missing from a listing", conv.id));
                }
            }
        }
        for entry in read::scan(self, &[keys::MESSAGE]) {
            let (_, value) = entry?;
            let (conv, row, body) = keys::split_message_value(&value)?;
            let message: im_model::Message = serde_json::from_slice(&crate::body::decode(body)?)
                .map_err(|e| im_store::StoreError::Corrupt {
                    details: format!("a stored message does not decode: {e}"),
                })?;
            let Some(pos) = MessagePos::of(&message) else {
                problems.push("a stored message has no id".into());
                continue;
            };
            if self.get(&keys::history_key(&conv, &pos))?.is_none() {
                problems.push(format!("message {} has no history entry", pos.msg_id));
            }
            let seq_key = keys::seq_key(&conv, &pos);
            if keys::has_seq_keys(&conv) && self.get(&seq_key)?.is_none() {
                problems.push(format!("message {} has no sequence entry", pos.msg_id));
            }
            if self.get(&keys::position_key(&pos))?.as_deref() != Some(&keys::u64_value(row)[..]) {
                problems.push(format!("message {} has no position entry", pos.msg_id));
            }
            let fields = crate::search::indexed_fields(&message);
            match read::row_document(self, row)? {
                Some(doc) if doc == keys::row_value(&conv, &pos, &fields) => {}
                Some(_) => problems.push(format!(
                    "message {}'s row {row} holds another document",
                    pos.msg_id
                )),
                None => problems.push(format!("message {}'s row {row} is missing", pos.msg_id)),
            }
            for term in crate::search::terms(&fields) {
                let (block, bit) = keys::posting_block(term, row);
                let posted = match self.get(&block)? {
                    Some(stored) => keys::bit_is_set(&keys::read_bitmap(&stored)?, bit),
                    None => false,
                };
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

#[cfg(test)]
mod tests {
    use im_model::{ConvId, MarkSet, Message};
    use im_store::{Conversation, ConversationStore, MessagePos, WriteBatch, WriteOp};

    use crate::{SledStore, keys};

    fn filled() -> (SledStore, ConvId, Message) {
        let store = SledStore::open_temporary().unwrap();
        let conv = ConvId::c2c("bob").unwrap();
        let mut c = Conversation::new(conv.clone(), 1_700_000_000);
        c.groups.insert("Lunch L".into());
        c.marks = MarkSet::STAR;
        let message = Message {
            msg_id: Some("m1".into()),
            server_time: Some(1_700_000_001),
            ..Message::text("明天吃饭 lunch")
        };
        let mut batch = WriteBatch::new();
        batch.push(WriteOp::CreateGroup("Lunch L".into()));
        batch.put(c);
        batch.put_message(conv.clone(), message.clone());
        store.apply(&batch).unwrap();
        (store, conv, message)
    }

    #[test]
    fn test_a_sound_store_verifies() {
        let (store, _, _) = filled();
        assert_eq!(store.verify_indexes().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn test_each_kind_of_damage_is_reported() {
        let (store, conv, message) = filled();
        let pos = MessagePos::of(&message).unwrap();
        store.tree().remove(keys::history_key(&conv, &pos)).unwrap();
        let (block, _) = keys::posting_block("饭", 0);
        store.tree().remove(block).unwrap();
        let list = keys::list_key(&store.conversation(&conv).unwrap().unwrap().list_key());
        store
            .tree()
            .remove(keys::listing_key(&keys::mark_list_prefix(0), &list))
            .unwrap();
        store
            .tree()
            .insert(keys::listing_key(&keys::mark_list_prefix(3), &list), &[])
            .unwrap();
        assert_eq!(
            store.verify_indexes().unwrap(),
            [
                "c2c_bob is in a mark listing it does not belong to",
                "c2c_bob is missing from a listing",
                "message m1 has no history entry",
                "message m1 is not posted under \"饭\"",
            ]
        );
    }
}
