//! Starting from the server's snapshot: a device's first sync, and a
//! resync after the server trimmed the events past its cursor.
//!
//! The snapshot is the user's state now (conversation groups, each
//! conversation's roaming state, last message, unread count and mentions)
//! and the event cursor it is consistent with; live events follow from
//! there. Nothing of the history is replayed: no group created, renamed or
//! deleted months ago is announced, nothing that no longer exists appears,
//! and the cost is the number of conversations, not of messages. Message
//! history stays on the server and comes on demand (roaming pulls), as in
//! Tencent's SDK; the unread messages it holds are counted from the
//! server's number (`Conversation::unstored_unread`).

use std::collections::HashMap;

use im_model::limits::{MAX_SNAPSHOT_MENTIONS, MAX_SNAPSHOT_UNREAD};
use im_model::{ConvId, ConvType, ErrorCode, ImResult, MsgStatus};
use im_store::{
    ConvFilter, UnreadQuery, UnstoredUnread, WriteBatch, WriteOp, remember_receive_option,
};
use im_transport::{ConvRoamingState, ConvSummary};

use crate::conv_update::{is_unread_in, set_last_if_newer};
use crate::roaming::Staged;
use crate::service::{EVENT_CURSOR_KEY, MessageService};

/// Conversations applied per write (and announced per "added" event).
const SNAPSHOT_BATCH: usize = 100;

impl MessageService {
    /// Whether this device ever applied the server's events (a cursor is
    /// saved with the first snapshot or event it applies).
    ///
    /// # Errors
    /// A storage failure.
    pub(crate) fn has_synced(&self) -> ImResult<bool> {
        Ok(self.store.setting(EVENT_CURSOR_KEY)?.is_some())
    }

    /// Makes this device's conversations what the server's snapshot says,
    /// then continues from the snapshot's cursor. Groups are applied
    /// without group events (they are history); conversations are written
    /// (and announced as added or updated) in batches; a conversation the
    /// store refuses is logged and skipped. Returns how many conversations
    /// were applied.
    ///
    /// # Errors
    /// The transport's error, or a storage failure (the cursor then stays,
    /// and the next sync starts from a snapshot again; applying one is
    /// idempotent).
    #[tracing::instrument(level = "info", skip_all)]
    pub async fn resync(&self) -> ImResult<usize> {
        let was_synced = self.has_synced()?;
        let snapshot = self.transport.conversation_snapshot().await?;
        self.commit(|batch, _| {
            let mut staged = Staged::load(&*self.store)?;
            self.stage_roamed_groups(&mut staged, &snapshot.groups)?;
            staged.finish(batch);
            batch.announce_mut().no_group_events = true;
            Ok(())
        })?;
        // Receive options of peers and groups not in the list: remembered,
        // applied when their conversation comes back.
        if !snapshot.receive_options.is_empty() {
            self.commit(|batch, _| {
                for (conv, opt) in &snapshot.receive_options {
                    batch.push(remember_receive_option(conv, *opt));
                }
                Ok(())
            })?;
        }
        self.cache_snapshot_profiles(&snapshot.profiles)?;
        let summaries: HashMap<&ConvId, &ConvSummary> =
            snapshot.summaries.iter().map(|s| (&s.conv, s)).collect();
        let mut applied = 0;
        for chunk in snapshot.conversations.chunks(SNAPSHOT_BATCH) {
            match self.apply_snapshot_convs(chunk, &summaries) {
                Ok(()) => applied += chunk.len(),
                Err(e) if e.code == ErrorCode::DatabaseOperateFailed => return Err(e),
                // One conversation the store refuses (a time past the
                // limit, say) must not keep the others out.
                Err(e) => {
                    tracing::warn!(error = %e, "a snapshot batch was refused; applying it one by one");
                    for one in chunk {
                        match self.apply_snapshot_convs(std::slice::from_ref(one), &summaries) {
                            Ok(()) => applied += 1,
                            Err(e) if e.code == ErrorCode::DatabaseOperateFailed => return Err(e),
                            Err(e) => {
                                tracing::warn!(conv = %one.0, error = %e, "skipped a conversation of the snapshot");
                            }
                        }
                    }
                }
            }
        }
        if was_synced {
            self.drop_unlisted(&snapshot.conversations)?;
        }
        self.commit_at(Some(snapshot.cursor), |_, _| Ok(()))?;
        self.set_event_cursor(snapshot.cursor);
        Ok(applied)
    }

    /// After a resync of a device that synced before: its conversations
    /// the server no longer lists (deleted on another device while the
    /// events saying so were trimmed) are deleted here too. A
    /// conversation the server never saw (created here, or holding only
    /// unsent messages) stays.
    fn drop_unlisted(&self, listed: &[(ConvId, ConvRoamingState)]) -> ImResult<()> {
        let listed: std::collections::BTreeSet<&ConvId> = listed.iter().map(|(c, _)| c).collect();
        self.commit(|batch, _| {
            for c in self.store.matching_conversations(&ConvFilter::all())? {
                let known_to_server = c.last_message.as_ref().is_some_and(|m| {
                    m.status != Some(MsgStatus::LocalImported)
                        && (m.seq.is_some_and(|s| s > 0) || m.unique_id.is_some())
                });
                if known_to_server && !listed.contains(&c.id) {
                    batch.push(WriteOp::DeleteConversation(c.id.clone()));
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Applies conversations of a snapshot in one write.
    fn apply_snapshot_convs(
        &self,
        convs: &[(ConvId, ConvRoamingState)],
        summaries: &HashMap<&ConvId, &ConvSummary>,
    ) -> ImResult<()> {
        self.commit(|batch, _| {
            let mut staged = Staged::load(&*self.store)?;
            for (conv, roamed) in convs {
                self.stage_roamed_state(&mut staged, conv, roamed)?;
                if let Some(summary) = summaries.get(conv) {
                    self.stage_summary(&mut staged, summary, batch)?;
                }
            }
            staged.finish(batch);
            batch.announce_mut().no_group_events = true;
            Ok(())
        })?;
        Ok(())
    }

    /// Stages a conversation's summary: its last message is stored (when
    /// new here), its unread count becomes the server's (the unread
    /// messages this device does not store are remembered as such), and
    /// its unread mentions are kept.
    fn stage_summary(
        &self,
        staged: &mut Staged,
        summary: &ConvSummary,
        batch: &mut WriteBatch,
    ) -> ImResult<()> {
        let conv = &summary.conv;
        // What the server says is checked like any received message: a
        // last message that cannot be stored is left out (the conversation
        // still comes), a count or a mention list past reason is clamped.
        let last = match summary
            .last_message
            .clone()
            .map(|m| self.prepare_received(conv, m))
        {
            Some(Ok(message)) => Some(message),
            Some(Err(e)) => {
                tracing::warn!(%conv, error = %e, "left out a snapshot's last message");
                None
            }
            None => None,
        };
        let server_unread = summary.unread.min(MAX_SNAPSHOT_UNREAD);
        let known = match last.as_ref().and_then(|m| m.msg_id.as_deref()) {
            Some(id) => self.store.message(id)?.is_some(),
            None => true,
        };
        let store = self.store.clone();
        staged.conversation(self, conv)?;
        let is_new = staged.is_new(conv);
        let c = staged.conversation(self, conv)?;
        // A conversation new here sorts by its last message, not by now.
        if is_new {
            c.created_time = last.as_ref().map_or(c.created_time, |m| m.timestamp());
        }
        let mut stored_unread = store.count_unread(&UnreadQuery {
            conv: conv.clone(),
            after_time: c.c2c_read_timestamp,
            after_seq: c.group_read_seq,
        })?;
        if let Some(mut message) = last.clone().filter(|_| !known) {
            message.is_read = Some(message.is_from_self == Some(true));
            if is_unread_in(c, &message) {
                stored_unread += 1;
            }
            set_last_if_newer(c, &message);
            batch.put_message(conv.clone(), message);
        }
        // The unread messages not stored here are all at or before the
        // last message: without a usable one, a read could never be known
        // to cover them, so only the stored ones count.
        let unstored = server_unread.saturating_sub(stored_unread);
        c.unstored_unread = match &last {
            Some(m) if unstored > 0 => Some(UnstoredUnread {
                count: unstored,
                until_time: m.timestamp(),
                until_seq: m.seq.unwrap_or(0),
            }),
            _ => None,
        };
        c.unread_count = stored_unread + c.unstored_unread.map_or(0, |u| u.count);
        let read_seq = c.group_read_seq;
        let mentions = if conv.conv_type() == ConvType::Group {
            &summary.mentions[..]
        } else {
            &[]
        };
        for mention in mentions.iter().take(MAX_SNAPSHOT_MENTIONS) {
            let unread = mention.seq.is_some_and(|s| s > read_seq);
            if unread && !c.group_at_infos.iter().any(|a| a.seq == mention.seq) {
                c.group_at_infos.push(mention.clone());
            }
        }
        c.group_at_infos.sort_by_key(|a| a.seq);
        c.refresh_last_message_read_state();
        Ok(())
    }
}
