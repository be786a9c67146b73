//! The conversation service and its single write path.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, Weak};

use im_model::{Clock, ConvId, ConvInfo, ImResult};
use im_store::{
    ConvChange, ConvFilter, Conversation, ConversationStore, ConversationWriter, Store, WriteBatch,
    WriteOp, receive_option_key, remembered_receive_option,
};

use im_store::notify::{EventQueue, Listener};

use crate::events::ConvEvent;
use crate::paging::WalkRegistry;
use crate::unread::UnreadWatch;
use im_store::UnreadRecount;

/// Conversation logic over a [`ConversationStore`].
///
/// Every change goes through [`ConversationService::write`], which holds
/// the one writer lock, applies one atomic batch, updates list walks and
/// unread watches, and queues the resulting events; events are delivered
/// after the lock is released. Reads go straight to the store.
pub struct ConversationService {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) writer: Mutex<WriterState>,
    /// The message layer's recount, held weakly: the message service owns
    /// (an `Arc` of) this service as its writer, so a strong reference back
    /// would be a cycle that keeps both, and the store, alive forever.
    pub(crate) recount: RwLock<Option<Weak<dyn UnreadRecount>>>,
    events: EventQueue<ConvEvent>,
}

impl fmt::Debug for ConversationService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConversationService")
            .field("store", &self.store)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// State guarded by the writer lock.
#[derive(Debug)]
pub(crate) struct WriterState {
    /// Highest version handed out.
    pub last_version: u64,
    pub walks: WalkRegistry,
    pub unread: UnreadWatch,
}

/// The staged changes of one [`ConversationService::write`] call.
///
/// Reads see the store as committed before this write; the closure stages
/// writes and group events, and the service commits them together.
pub struct Txn<'a> {
    store: &'a dyn ConversationStore,
    now: u64,
    batch: WriteBatch,
    events: Vec<ConvEvent>,
}

impl fmt::Debug for Txn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Txn")
            .field("now", &self.now)
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

impl Txn<'_> {
    /// The store, as committed before this write.
    pub fn store(&self) -> &dyn ConversationStore {
        self.store
    }

    /// The time of this write (seconds).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Reads one conversation.
    ///
    /// # Errors
    /// A storage failure.
    pub fn get(&self, id: &ConvId) -> ImResult<Option<Conversation>> {
        Ok(self.store.conversation(id)?)
    }

    /// Reads one conversation that must exist.
    ///
    /// # Errors
    /// `ERR_INVALID_CONVERSATION` (6004) when it does not exist.
    pub fn existing(&self, id: &ConvId) -> ImResult<Conversation> {
        self.get(id)?.ok_or_else(|| not_found(id))
    }

    /// Stages an upsert (the commit stamps it with a new version).
    pub fn put(&mut self, conv: Conversation) {
        self.batch.put(conv);
    }

    /// Stages a deletion, with the conversation's messages.
    pub fn delete(&mut self, id: ConvId) {
        // Tencent deletes a conversation's local history with it.
        self.batch.push(WriteOp::ClearMessages(id.clone()));
        self.batch.push(WriteOp::DeleteConversation(id));
    }

    /// Stages a conversation-group operation.
    pub fn group_op(&mut self, op: WriteOp) {
        self.batch.push(op);
    }

    /// Stages a setting write (e.g. a remembered receive option).
    pub fn put_setting(&mut self, op: WriteOp) {
        debug_assert!(matches!(op, WriteOp::PutSetting { .. }));
        self.batch.push(op);
    }

    /// Queues an event to deliver after the commit (before the
    /// conversation events the commit produces).
    pub fn event(&mut self, event: ConvEvent) {
        self.events.push(event);
    }
}

/// `ERR_INVALID_CONVERSATION` for a conversation that does not exist.
pub(crate) fn not_found(id: &ConvId) -> im_model::ImError {
    im_model::ImError::new(
        im_model::ErrorCode::InvalidConversation,
        format!("conversation {id} does not exist"),
    )
}

impl ConversationService {
    /// A service over `store`, reading time from `clock`.
    ///
    /// # Errors
    /// A storage failure while reading the current version.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> ImResult<Self> {
        let last_version = store.max_version()?;
        Ok(ConversationService {
            store,
            clock,
            writer: Mutex::new(WriterState {
                last_version,
                walks: WalkRegistry::default(),
                unread: UnreadWatch::default(),
            }),
            recount: RwLock::new(None),
            events: EventQueue::default(),
        })
    }

    /// Registers a listener for every [`ConvEvent`].
    pub fn add_listener(&self, listener: Arc<dyn Listener<ConvEvent>>) {
        self.events.add_listener(listener);
    }

    /// Removes a listener registered with [`ConversationService::add_listener`].
    pub fn remove_listener(&self, listener: &Arc<dyn Listener<ConvEvent>>) {
        self.events.remove_listener(listener);
    }

    pub(crate) fn lock_writer(&self) -> MutexGuard<'_, WriterState> {
        // Writer state is updated only after a successful commit and by
        // code that does not panic, so a poisoned lock still holds sound state.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `stage` and commits what it staged as one atomic batch: the
    /// single write path of conversation state (the message layer uses it
    /// too). Nothing is written when `stage` or the commit fails.
    ///
    /// After the commit, conversation events are derived from the actual
    /// changes (a staged write that changed nothing visible raises none),
    /// list walks and unread watches are updated, and all events are
    /// delivered in commit order once the writer lock is released.
    ///
    /// # Errors
    /// The error of `stage`, or a storage failure.
    pub fn write<R>(&self, stage: impl FnOnce(&mut Txn<'_>) -> ImResult<R>) -> ImResult<R> {
        self.write_with_changes(stage, false)
            .map(|(result, _)| result)
    }

    /// [`ConversationService::write`], also returning the committed changes.
    /// With `derive_group_events`, conversation-group events are derived
    /// from the batch (for writes staged outside this crate, which cannot
    /// raise them: the roaming state another device changed).
    fn write_with_changes<R>(
        &self,
        stage: impl FnOnce(&mut Txn<'_>) -> ImResult<R>,
        derive_group_events: bool,
    ) -> ImResult<(R, Vec<ConvChange>)> {
        let result = {
            let mut writer = self.lock_writer();
            let WriterState {
                last_version,
                walks,
                unread,
            } = &mut *writer;
            let mut txn = Txn {
                store: &*self.store,
                now: self.clock.now_secs(),
                batch: WriteBatch::new(),
                events: Vec::new(),
            };
            let result = stage(&mut txn)?;
            let Txn {
                mut batch,
                mut events,
                ..
            } = txn;
            let mut changes = Vec::new();
            if !batch.is_empty() {
                self.apply_remembered_receive_options(&mut batch)?;
                // Versions are stamped here, after staging, so every version
                // a commit writes is above all versions that existed before.
                for op in batch.ops_mut() {
                    if let WriteOp::PutConversation(conv) = op {
                        *last_version += 1;
                        conv.version = *last_version;
                    }
                }
                changes = self.store.apply(&batch)?;
                tracing::trace!(
                    ops = batch.ops().len(),
                    changes = changes.len(),
                    "committed"
                );
                walks.on_change(&changes);
                if derive_group_events {
                    events.extend(crate::events::group_events(&batch, &changes));
                }
                events.extend(conversation_events(&changes));
                if !changes.is_empty() {
                    events.extend(unread.refresh(&*self.store)?);
                }
            }
            self.events.enqueue(events);
            (result, changes)
        };
        self.events.dispatch();
        Ok(result)
    }

    /// Reads conversations by id, as `ConvInfo`, keeping input order and
    /// skipping ids that do not exist.
    ///
    /// # Errors
    /// A storage failure.
    /// A conversation this batch creates takes the receive option set for
    /// it before it existed (remembered as a setting by whoever set it), so
    /// a muted peer's first message never counts toward total unread.
    /// Every write goes through here, so every way of creating a
    /// conversation (a message, an import, `TIMConvCreate`) obeys it.
    fn apply_remembered_receive_options(&self, batch: &mut WriteBatch) -> ImResult<()> {
        for op in batch.ops_mut() {
            let WriteOp::PutConversation(conv) = op else {
                continue;
            };
            if self.store.conversation(&conv.id)?.is_some() {
                continue;
            }
            let key = receive_option_key(&conv.id);
            if let Some(opt) = self
                .store
                .setting(&key)?
                .as_deref()
                .and_then(remembered_receive_option)
            {
                conv.recv_opt = opt;
            }
        }
        Ok(())
    }

    pub(crate) fn infos(&self, ids: &[ConvId]) -> ImResult<Vec<ConvInfo>> {
        Ok(self
            .store
            .conversations(ids)?
            .iter()
            .map(Conversation::to_conv_info)
            .collect())
    }

    /// The current state of every conversation matching `filter`, for tests
    /// and diagnostics (no paging; includes hidden conversations).
    ///
    /// # Errors
    /// A storage failure.
    pub fn snapshot(&self, filter: &ConvFilter) -> ImResult<Vec<Conversation>> {
        Ok(self.store.matching_conversations(filter)?)
    }

    /// The stored records of the conversations among `ids` that exist, in
    /// the order of `ids` (for work on their fields, not for display).
    ///
    /// # Errors
    /// A storage failure.
    pub fn snapshot_of(&self, ids: &[ConvId]) -> ImResult<Vec<Conversation>> {
        Ok(self.store.conversations(ids)?)
    }
}

/// Added / Updated / Deleted events for a committed batch: one event of
/// each kind at most, listing every conversation whose visible state changed.
fn conversation_events(changes: &[ConvChange]) -> Vec<ConvEvent> {
    let mut added = Vec::new();
    let mut updated = Vec::new();
    let mut deleted = Vec::new();
    for change in changes {
        match (&change.before, &change.after) {
            (None, Some(after)) => added.push(after.to_conv_info()),
            (Some(before), Some(after)) => {
                let info = after.to_conv_info();
                if before.to_conv_info() != info {
                    updated.push(info);
                }
            }
            (Some(before), None) => deleted.push(before.id.clone()),
            (None, None) => {}
        }
    }
    let mut events = Vec::new();
    if !added.is_empty() {
        events.push(ConvEvent::Added(added));
    }
    if !updated.is_empty() {
        events.push(ConvEvent::Updated(updated));
    }
    if !deleted.is_empty() {
        events.push(ConvEvent::Deleted(deleted));
    }
    events
}

impl ConversationWriter for ConversationService {
    fn commit(
        &self,
        stage: &mut dyn FnMut(&mut WriteBatch) -> ImResult<()>,
    ) -> ImResult<Vec<ConvChange>> {
        self.write_with_changes(|txn| stage(&mut txn.batch), true)
            .map(|((), changes)| changes)
    }
}
