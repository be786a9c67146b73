//! Receiving: server events into the store, exactly once.
//!
//! Every server event goes through [`MessageService::handle_event`]; the
//! sync loop ([`MessageService::sync_events`]) pulls them from the
//! transport's cursor. A message is identified by its `message_msg_id`:
//!
//! * already stored and sent (or received) — ignored, nothing announced;
//! * stored but still ours in flight (`Sending`, `SendFail`, `Cancel`) —
//!   the server's echo of our own send: its server fields are taken and it
//!   becomes `SendSucc`, nothing announced (the sender learns from `deliver`);
//! * online-only — announced, never stored or counted;
//! * otherwise — stored with its conversation (created when new) in one
//!   write, counted unread unless from us, excluded or targeted, mentions
//!   recorded, and announced once.

use im_model::limits::is_valid_time;
use im_model::message::{Message, MessageReceipt, RevokeNotice};
use im_model::{ConvId, ConvType, ErrorCode, ImError, ImResult, MsgStatus};
use im_store::{Conversation, WriteBatch};
use im_transport::{EventPage, PullRequest, SequencedEvent, ServerEvent};

use crate::conv_update::{forget_unread, set_last_if_newer, take_new_message};
use crate::events::MsgEvent;
use crate::local::stored_conv;
use crate::service::{Gathered, MessageService, Sink};

/// Events pulled per request by the sync loop.
const PULL_LIMIT: u32 = 100;

/// How far a pull of server events has come, in events of the stream
/// (positions the server skipped count as done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncProgress {
    /// Positions applied since the pull began.
    pub done: u64,
    /// Positions the server had after the pull's start (at least `done`).
    pub total: u64,
}

impl MessageService {
    /// Applies one server event.
    ///
    /// # Errors
    /// A storage failure (the event is not applied; pulling it again is safe).
    pub fn handle_event(&self, event: ServerEvent) -> ImResult<()> {
        self.apply_event(event, None)
    }

    /// Applies one server event; with a cursor, the event log position
    /// after it is saved in the same atomic write, so after a crash the
    /// event is either applied and passed, or neither.
    fn apply_event(&self, event: ServerEvent, cursor: Option<u64>) -> ImResult<()> {
        match event {
            ServerEvent::NewMessage { conv, message } => {
                self.receive_message(&conv, message, cursor)
            }
            ServerEvent::Revoked {
                conv,
                msg_id,
                revoker,
                reason,
            } => self.apply_revoke(&conv, &msg_id, &revoker, &reason, cursor),
            ServerEvent::PeerRead { conv, read_time } => {
                self.peer_read(&conv, read_time, &mut Sink::Now(cursor))
            }
            ServerEvent::Modified { conv, message } => self
                .apply_modified(&conv, &message, false, &mut Sink::Now(cursor))
                .map(drop),
            ServerEvent::Receipts { receipts } => self.apply_receipts(receipts, cursor),
            ServerEvent::ConversationState { conv, state } => {
                self.apply_roamed_change(None, &[(conv, state)], &[], cursor)
            }
            ServerEvent::ConversationGroups { names } => {
                self.apply_roamed_change(Some(&names), &[], &[], cursor)
            }
            ServerEvent::ConversationsDeleted { convs } => {
                self.apply_roamed_deletes(&convs, cursor)
            }
            ServerEvent::ConversationStateChanged {
                groups,
                convs,
                evicted,
            } => self.apply_roamed_change(groups.as_deref(), &convs, &evicted, cursor),
            ServerEvent::ProfileUpdated { profile } => {
                self.apply_profile_update(&profile, &mut Sink::Now(cursor))
            }
        }
    }

    /// Pulls and applies every server event after the last one applied;
    /// returns how many were applied. Each event carries its stream cursor,
    /// saved in the same write as the event's effects, so the cursor never
    /// moves backwards and an event at or before it is never applied again.
    /// An event that cannot be applied is logged and skipped (the cursor
    /// moves past it); only a storage failure stops the loop. When the
    /// server no longer keeps the events after the cursor, the
    /// conversations are resynced ([`MessageService::resync`]), as they are
    /// on a device's first sync.
    ///
    /// # Errors
    /// The transport's error, or a storage failure; events applied before
    /// the failure stay applied and the cursor points after them.
    pub async fn sync_events(&self) -> ImResult<usize> {
        self.sync_events_reporting(&|_| {}).await
    }

    /// [`MessageService::sync_events`], telling `progress` after each page
    /// how far the pull has come (an app shows a first sync's progress
    /// bar with it).
    ///
    /// # Errors
    /// As [`MessageService::sync_events`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn sync_events_reporting(
        &self,
        progress: &(dyn Fn(SyncProgress) + Send + Sync),
    ) -> ImResult<usize> {
        let mut applied = 0;
        let mut resynced = false;
        // A device that never synced (new, or its data cleared) starts
        // from the server's snapshot, not from the account's whole history.
        if !self.has_synced()? {
            applied += self.resync().await?;
            resynced = true;
        }
        let start = self.event_cursor();
        loop {
            let cursor = self.event_cursor();
            let page = self
                .transport
                .pull_events(PullRequest {
                    cursor,
                    limit: PULL_LIMIT,
                })
                .await?;
            let batch = match page {
                EventPage::Events(batch) => batch,
                // Once per call: a server that answers "too old" right after
                // a resync is not making progress, and the caller retries
                // (rather than resyncing in a loop against it).
                EventPage::CursorTooOld if !resynced => {
                    applied += self.resync().await?;
                    resynced = true;
                    continue;
                }
                EventPage::CursorTooOld => {
                    return Err(ImError::new(
                        ErrorCode::ParseResponseFailed,
                        "the server keeps answering that the event cursor is too old",
                    ));
                }
            };
            let mut position = cursor;
            // Consecutive new messages of one conversation are one run;
            // runs and other events of distinct conversations and messages
            // gather into one write (a segment), so a page costs a few
            // commits, not one per event.
            let mut segment = Segment::default();
            let mut run: Option<(ConvId, Vec<(u64, Message)>)> = None;
            for SequencedEvent { cursor: at, event } in batch.events {
                if at <= position {
                    tracing::warn!(at, position, "skipped an event at or before the cursor");
                    continue;
                }
                position = at;
                match event {
                    ServerEvent::NewMessage { conv, message }
                        if message.is_online_msg != Some(true) =>
                    {
                        match &mut run {
                            Some((run_conv, messages)) if *run_conv == conv => {
                                messages.push((at, message));
                            }
                            _ => {
                                applied += self.stage_run(run.take(), &mut segment)?;
                                run = Some((conv, vec![(at, message)]));
                            }
                        }
                    }
                    other => {
                        applied += self.stage_run(run.take(), &mut segment)?;
                        applied += self.stage_event(other, at, &mut segment)?;
                    }
                }
            }
            applied += self.stage_run(run.take(), &mut segment)?;
            self.flush_segment(&mut segment)?;
            if batch.next_cursor > position {
                // The server skipped positions (e.g. events not for us).
                self.commit_at(Some(batch.next_cursor), |_, _| Ok(()))?;
                self.set_event_cursor(batch.next_cursor);
            } else if batch.has_more && position == cursor {
                // More promised, nothing given and no progress: stop rather
                // than loop on a confused server.
                return Ok(applied);
            }
            let reached = self.event_cursor();
            progress(SyncProgress {
                done: reached.saturating_sub(start),
                total: batch.head.max(reached).saturating_sub(start),
            });
            if !batch.has_more {
                return Ok(applied);
            }
        }
    }

    /// Gathers a run of new messages of one conversation into the segment
    /// (committing the segment first when the run would touch what it
    /// touches). Returns how many events were applied.
    fn stage_run(
        &self,
        run: Option<(ConvId, Vec<(u64, Message)>)>,
        segment: &mut Segment,
    ) -> ImResult<usize> {
        let Some((conv, messages)) = run else {
            return Ok(0);
        };
        let ids: Vec<String> = messages
            .iter()
            .filter_map(|(_, m)| m.msg_id.clone())
            .collect();
        if segment.touches(&conv, &ids) {
            self.flush_segment(segment)?;
        }
        let last = messages.last().map_or(0, |(cursor, _)| *cursor);
        let replay: Vec<(u64, ServerEvent)> = messages
            .iter()
            .map(|(at, message)| {
                (
                    *at,
                    ServerEvent::NewMessage {
                        conv: conv.clone(),
                        message: message.clone(),
                    },
                )
            })
            .collect();
        let applied =
            self.receive_run(&conv, messages, &mut Sink::Gather(&mut segment.gathered))?;
        segment.record(conv, ids, last, replay);
        Ok(applied)
    }

    /// Applies one event other than a new message: gathered into the
    /// segment when it touches one conversation and message the segment
    /// does not, else committed on its own after the segment. An event
    /// that cannot be applied is logged and passed; only a storage failure
    /// stops. Returns how many events were applied (0 or 1).
    fn stage_event(&self, event: ServerEvent, at: u64, segment: &mut Segment) -> ImResult<usize> {
        // What the event touches; roaming state (it reads the groups and
        // recounts), receipts and group lists (they span conversations) and
        // online messages (nothing to write) commit on their own.
        let (conv, ids) = match &event {
            ServerEvent::Revoked { conv, msg_id, .. } => (conv.clone(), vec![msg_id.clone()]),
            ServerEvent::PeerRead { conv, .. } => (conv.clone(), Vec::new()),
            ServerEvent::Modified { conv, message } => {
                (conv.clone(), message.msg_id.iter().cloned().collect())
            }
            _ => {
                self.flush_segment(segment)?;
                return self.apply_alone(event, at);
            }
        };
        if segment.touches(&conv, &ids) {
            self.flush_segment(segment)?;
        }
        let sink = &mut Sink::Gather(&mut segment.gathered);
        let staged = match &event {
            ServerEvent::Revoked {
                conv,
                msg_id,
                revoker,
                reason,
            } => self.stage_revoke(conv, msg_id, revoker, reason, sink),
            ServerEvent::PeerRead { conv, read_time } => self.peer_read(conv, *read_time, sink),
            ServerEvent::Modified { conv, message } => {
                self.apply_modified(conv, message, false, sink).map(drop)
            }
            // Kinds that commit alone returned above.
            _ => Ok(()),
        };
        segment.record(conv, ids, at, vec![(at, event)]);
        match staged {
            Ok(()) => Ok(1),
            Err(e) if e.code == ErrorCode::DatabaseOperateFailed => Err(e),
            Err(e) => {
                tracing::warn!(at, error = %e, "skipped a server event that cannot be applied");
                Ok(0)
            }
        }
    }

    /// Applies one event in a write of its own, with its cursor.
    fn apply_alone(&self, event: ServerEvent, at: u64) -> ImResult<usize> {
        let applied = match self.apply_event(event, Some(at)) {
            Ok(()) => 1,
            // Storage failed: stop here; the event is pulled again.
            Err(e) if e.code == ErrorCode::DatabaseOperateFailed => return Err(e),
            // The event itself cannot be applied: retrying would block
            // every event after it, so it is logged and passed.
            Err(e) => {
                tracing::warn!(at, error = %e, "skipped a server event that cannot be applied");
                self.commit_at(Some(at), |_, _| Ok(()))?;
                0
            }
        };
        self.set_event_cursor(at);
        Ok(applied)
    }

    /// Commits what the segment gathered, with its last cursor. Should the
    /// store refuse the whole write (it cannot, for events of distinct
    /// conversations and messages; but never stall on it), the segment's
    /// events are applied one by one instead.
    fn flush_segment(&self, segment: &mut Segment) -> ImResult<()> {
        let taken = std::mem::take(segment);
        let Some(last) = taken.last else {
            return Ok(());
        };
        match self.commit_gathered(&taken.gathered, last) {
            Ok(()) => {
                self.set_event_cursor(last);
                Ok(())
            }
            Err(e) if e.code == ErrorCode::DatabaseOperateFailed => Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "a segment was refused; applying its events one by one");
                for (at, event) in taken.replay {
                    self.apply_alone(event, at)?;
                }
                Ok(())
            }
        }
    }

    /// A received message made ready to store: its conversation fields and
    /// sender side set, checked for what every store needs.
    pub(crate) fn prepare_received(
        &self,
        conv: &ConvId,
        mut message: Message,
    ) -> ImResult<Message> {
        let from_self = message.sender.as_deref() == Some(self.config.user_id.as_str());
        message.is_from_self = Some(from_self);
        message.conv_id = Some(conv.peer().to_owned());
        message.conv_type = Some(conv.conv_type());
        message.status.get_or_insert(MsgStatus::SendSucc);
        if message.is_online_msg == Some(true) {
            return Ok(message);
        }
        if message.msg_id.as_deref().is_none_or(str::is_empty) {
            return Err(ImError::invalid_param(
                "received a message without message_msg_id",
            ));
        }
        for time in [message.client_time, message.server_time] {
            if !is_valid_time(time.unwrap_or(0)) {
                return Err(ImError::invalid_param(format!(
                    "received message {} has a time past the latest storable one",
                    message.msg_id.as_deref().unwrap_or_default()
                )));
            }
        }
        Ok(message)
    }

    /// Stages one prepared message into its conversation `c` (read once
    /// for a whole run): a new id is stored and counted, our own message
    /// in flight is completed by its echo, a known id is ignored. Returns
    /// the message to announce, if any, and whether `c` changed.
    fn stage_received(
        &self,
        conv: &ConvId,
        c: &mut Conversation,
        mut message: Message,
        batch: &mut WriteBatch,
    ) -> ImResult<(Option<Message>, bool)> {
        let msg_id = message.msg_id.clone().unwrap_or_default();
        match self.store.message(&msg_id)? {
            Some(stored) if stored_conv(&stored).ok().as_ref() != Some(conv) => {
                Err(ImError::invalid_param(format!(
                    "received message {msg_id} collides with a message of another conversation"
                )))
            }
            Some(stored)
                if matches!(
                    stored.status,
                    Some(MsgStatus::Sending | MsgStatus::SendFail | MsgStatus::Cancel)
                ) =>
            {
                let mut echoed = stored;
                echoed.seq = message.seq;
                echoed.server_time = message.server_time;
                echoed.unique_id = message.unique_id;
                echoed.status = Some(MsgStatus::SendSucc);
                set_last_if_newer(c, &echoed);
                batch.put_message(conv.clone(), echoed);
                Ok((None, true))
            }
            Some(_) => Ok((None, false)),
            None => {
                message.is_read = Some(message.is_from_self == Some(true));
                // Until this device has the peer's profile, the name the
                // server stamped on their message names the conversation.
                if conv.conv_type() == ConvType::C2C
                    && message.is_from_self != Some(true)
                    && c.show_name.is_empty()
                    && let Some(stamp) = &message.sender_profile
                {
                    crate::profiles::name_conversation(c, stamp);
                }
                self.take_group_tip(c, &message, batch)?;
                take_new_message(c, &message, &self.config.user_id);
                batch.put_message(conv.clone(), message.clone());
                Ok((Some(message), true))
            }
        }
    }

    /// Receives one message (see the module docs), saving `cursor` with it.
    fn receive_message(
        &self,
        conv: &ConvId,
        message: Message,
        cursor: Option<u64>,
    ) -> ImResult<()> {
        let mut message = self.prepare_received(conv, message)?;
        self.with_sender_profiles(std::slice::from_mut(&mut message))?;
        if message.is_online_msg == Some(true) {
            self.commit_at(cursor, |_, events| {
                events.push(MsgEvent::NewMessages(vec![message.clone()]));
                Ok(())
            })?;
            return Ok(());
        }
        self.commit_at(cursor, |batch, events| {
            let mut c = self.conversation_or_new(conv)?;
            let (announce, changed) = self.stage_received(conv, &mut c, message.clone(), batch)?;
            if changed {
                batch.put(c);
            }
            events.extend(announce.map(|m| MsgEvent::NewMessages(vec![m])));
            Ok(())
        })?;
        Ok(())
    }

    /// Receives a run of consecutive messages of one conversation from the
    /// event stream in one write (one commit, not one per message), saving
    /// the run's last cursor with them. A message that cannot be applied is
    /// logged and left out; the rest of the run is applied. Returns how
    /// many events were applied (a known id counts: it is applied by being
    /// ignored).
    fn receive_run(
        &self,
        conv: &ConvId,
        run: Vec<(u64, Message)>,
        sink: &mut Sink<'_>,
    ) -> ImResult<usize> {
        let mut prepared = Vec::with_capacity(run.len());
        for (cursor, message) in run {
            match self.prepare_received(conv, message) {
                Ok(m) => prepared.push(m),
                Err(e) => {
                    tracing::warn!(cursor, error = %e, "skipped a server event that cannot be applied")
                }
            }
        }
        self.with_sender_profiles(&mut prepared)?;
        let mut applied = 0;
        self.write_to(sink, |batch, events| {
            applied = 0;
            let mut c = self.conversation_or_new(conv)?;
            let mut changed = false;
            let mut announced = Vec::new();
            let mut seen = std::collections::BTreeSet::new();
            for message in &prepared {
                // A repeat within the run is a known id.
                if !seen.insert(message.msg_id.clone()) {
                    applied += 1;
                    continue;
                }
                match self.stage_received(conv, &mut c, message.clone(), batch) {
                    Ok((announce, touched)) => {
                        applied += 1;
                        changed |= touched;
                        announced.extend(announce);
                    }
                    Err(e) if e.code == ErrorCode::DatabaseOperateFailed => return Err(e),
                    Err(e) => {
                        tracing::warn!(error = %e, "skipped a server event that cannot be applied")
                    }
                }
            }
            if changed {
                batch.put(c);
            }
            if !announced.is_empty() {
                events.push(MsgEvent::NewMessages(announced));
            }
            Ok(())
        })?;
        Ok(applied)
    }

    /// Marks a message revoked (ours, by [`MessageService::revoke`], or a
    /// peer's, from the server) with its conversation, and announces it.
    pub(crate) fn apply_revoke(
        &self,
        conv: &ConvId,
        msg_id: &str,
        revoker: &str,
        reason: &str,
        cursor: Option<u64>,
    ) -> ImResult<()> {
        self.stage_revoke(conv, msg_id, revoker, reason, &mut Sink::Now(cursor))
    }

    /// [`MessageService::apply_revoke`], writing through `sink`.
    fn stage_revoke(
        &self,
        conv: &ConvId,
        msg_id: &str,
        revoker: &str,
        reason: &str,
        sink: &mut Sink<'_>,
    ) -> ImResult<()> {
        self.write_to(sink, |batch, events| {
            let Some(before) = self.store.message(msg_id)? else {
                return Ok(());
            };
            // Already revoked, or deleted here (a deleted message stays
            // deleted; it is kept only for the find functions).
            if matches!(before.status, Some(MsgStatus::Revoked | MsgStatus::Deleted)) {
                return Ok(());
            }
            let mut revoked = before.clone();
            revoked.status = Some(MsgStatus::Revoked);
            revoked.revoker_user_id = Some(revoker.to_owned());
            revoked.revoke_reason = Some(reason.to_owned());
            let mut c = self.conversation_or_new(conv)?;
            forget_unread(&mut c, &before);
            set_last_if_newer(&mut c, &revoked);
            batch.put(c);
            batch.put_message(conv.clone(), revoked.clone());
            events.push(MsgEvent::Revoked(vec![RevokeNotice {
                conv_id: Some(conv.peer().to_owned()),
                conv_type: Some(conv.conv_type()),
                is_revoked: Some(true),
                time: Some(revoked.timestamp()),
                seq: revoked.seq,
                rand: revoked.rand,
                is_self: revoked.is_from_self,
                unique_id: revoked.unique_id,
                revoker_user_id: Some(revoker.to_owned()),
                revoke_reason: Some(reason.to_owned()),
                ..RevokeNotice::default()
            }]));
            Ok(())
        })
    }

    /// A C2C peer read our messages up to `read_time`.
    fn peer_read(&self, conv: &ConvId, read_time: u64, sink: &mut Sink<'_>) -> ImResult<()> {
        self.write_to(sink, |batch, events| {
            if conv.conv_type() != ConvType::C2C {
                return Ok(());
            }
            let mut c = self.conversation_or_new(conv)?;
            if read_time <= c.peer_read_timestamp {
                return Ok(());
            }
            c.peer_read_timestamp = read_time;
            if let Some(last) = c.last_message.as_mut() {
                mark_peer_read(last, read_time);
            }
            batch.put(c);
            events.push(MsgEvent::ReadReceipts(vec![MessageReceipt {
                conv_id: Some(conv.peer().to_owned()),
                conv_type: Some(ConvType::C2C),
                time_stamp: Some(read_time),
                is_peer_read: Some(true),
                ..MessageReceipt::default()
            }]));
            Ok(())
        })
    }
}

/// Sets `message_is_peer_read` on one of our messages the peer has read.
pub(crate) fn mark_peer_read(message: &mut Message, peer_read_time: u64) {
    if message.is_from_self == Some(true) {
        message.is_peer_read = Some(message.timestamp() <= peer_read_time);
    }
}

/// Events of a page gathered into one write: what they touch (so a later
/// event that reads what an earlier one wrote goes into the next write),
/// the writes, the last cursor, and the events themselves (to apply them
/// one by one should the store refuse the write).
#[derive(Debug, Default)]
struct Segment {
    gathered: Gathered,
    convs: std::collections::BTreeSet<ConvId>,
    msg_ids: std::collections::BTreeSet<String>,
    last: Option<u64>,
    replay: Vec<(u64, ServerEvent)>,
}

impl Segment {
    fn touches(&self, conv: &ConvId, ids: &[String]) -> bool {
        self.convs.contains(conv) || ids.iter().any(|id| self.msg_ids.contains(id))
    }

    fn record(
        &mut self,
        conv: ConvId,
        ids: Vec<String>,
        last: u64,
        replay: Vec<(u64, ServerEvent)>,
    ) {
        self.convs.insert(conv);
        self.msg_ids.extend(ids);
        self.last = Some(last);
        self.replay.extend(replay);
    }
}
