//! The message service: shared state and the commit path.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use futures::channel::oneshot;
use im_model::limits::DEFAULT_REVOKE_WINDOW_SECS;
use im_model::{Clock, ConvId, ImResult};
use im_store::notify::{EventQueue, Listener};
use im_store::{ConvChange, Conversation, ConversationWriter, Store, WriteBatch, WriteOp};
use im_transport::Transport;

use crate::events::MsgEvent;
use crate::ids::IdMaker;
use crate::rate::RateLimit;

/// Setting holding the position in the server event log after the last
/// applied event, saved atomically with each event's effects.
pub const EVENT_CURSOR_KEY: &str = "sync.event_cursor";

/// Where the writes of one applied server event go.
#[derive(Debug)]
pub(crate) enum Sink<'a> {
    /// Committed at once, saving this stream cursor (if any) with them.
    Now(Option<u64>),
    /// Gathered into the one write of a page segment.
    Gather(&'a mut Gathered),
}

/// The writes and events a page segment gathered, committed together.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    pub(crate) batch: WriteBatch,
    pub(crate) events: Vec<MsgEvent>,
}

/// Settings of the message layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageConfig {
    /// The logged-in user's id.
    pub user_id: String,
    /// How long after sending a message may be revoked (seconds; Tencent's
    /// default is 2 minutes, configurable in its console).
    pub revoke_window_secs: u64,
    /// The server echoes roaming conversation state through the event
    /// stream this service's sync applies (the client engine's setup):
    /// receive options are then applied from that echo only, in stream
    /// order, never ahead of it.
    pub roaming_echo: bool,
}

impl MessageConfig {
    /// Settings for `user_id` with Tencent's defaults.
    pub fn new(user_id: impl Into<String>) -> MessageConfig {
        MessageConfig {
            user_id: user_id.into(),
            revoke_window_secs: DEFAULT_REVOKE_WINDOW_SECS,
            roaming_echo: false,
        }
    }
}

/// Message logic over a [`Store`], the conversation layer's
/// [`ConversationWriter`] (every write goes through it, so a message and
/// its conversation change atomically and conversation events follow) and
/// a [`Transport`].
///
/// Methods that talk to the server are `async`; they hold no lock across
/// an await.
pub struct MessageService {
    pub(crate) store: Arc<dyn Store>,
    writer: Arc<dyn ConversationWriter>,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: MessageConfig,
    pub(crate) ids: IdMaker,
    /// Shared, so an upload's progress callback (which a transport may
    /// call from its own task) can raise events after the call returned.
    pub(crate) events: Arc<EventQueue<MsgEvent>>,
    /// Sends in flight, by message id: sending `()` cancels.
    pub(crate) in_flight: Mutex<HashMap<String, oneshot::Sender<()>>>,
    /// Cursor of the server event log.
    pub(crate) event_cursor: Mutex<u64>,
    /// Peers of C2C conversations created here whose profiles this device
    /// does not have: looked up together after a sync
    /// (`look_up_unknown_profiles`).
    pub(crate) unknown_profiles: crate::cache::Noted,
    /// Groups whose conversations appeared here without their information:
    /// looked up together after a sync (`look_up_unknown_groups`).
    pub(crate) unknown_groups: crate::cache::Noted,
    pub(crate) list_delete_rate: RateLimit,
    pub(crate) c2c_receive_opt_rate: RateLimit,
}

impl fmt::Debug for MessageService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageService")
            .field("config", &self.config)
            .field("store", &self.store)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl MessageService {
    /// A service for `config.user_id`, resuming the server event log where
    /// the store says the last run stopped.
    ///
    /// # Errors
    /// A storage failure, or a saved cursor that is not a number.
    pub fn new(
        store: Arc<dyn Store>,
        writer: Arc<dyn ConversationWriter>,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
        config: MessageConfig,
    ) -> ImResult<MessageService> {
        let cursor = match store.setting(EVENT_CURSOR_KEY)? {
            None => 0,
            Some(saved) => saved.parse().map_err(|_| {
                im_model::ImError::new(
                    im_model::ErrorCode::DatabaseOperateFailed,
                    format!("saved event cursor {saved:?} is not a number"),
                )
            })?,
        };
        Ok(MessageService {
            ids: IdMaker::new(&config.user_id),
            store,
            writer,
            transport,
            clock,
            config,
            events: Arc::new(EventQueue::default()),
            in_flight: Mutex::new(HashMap::new()),
            event_cursor: Mutex::new(cursor),
            unknown_profiles: crate::cache::Noted::default(),
            unknown_groups: crate::cache::Noted::default(),
            list_delete_rate: RateLimit::new("TIMMsgListDelete", 1, 1),
            c2c_receive_opt_rate: RateLimit::new("TIMMsgSetC2CReceiveMessageOpt", 5, 1),
        })
    }

    /// Registers a listener for every [`MsgEvent`].
    pub fn add_listener(&self, listener: Arc<dyn Listener<MsgEvent>>) {
        self.events.add_listener(listener);
    }

    /// Removes a listener.
    pub fn remove_listener(&self, listener: &Arc<dyn Listener<MsgEvent>>) {
        self.events.remove_listener(listener);
    }

    /// The logged-in user's id.
    pub fn user_id(&self) -> &str {
        &self.config.user_id
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.now_secs()
    }

    /// Builds and commits one atomic batch through the conversation
    /// writer, then delivers `events` (computed by `stage`) in order.
    pub(crate) fn commit(
        &self,
        mut stage: impl FnMut(&mut WriteBatch, &mut Vec<MsgEvent>) -> ImResult<()>,
    ) -> ImResult<Vec<ConvChange>> {
        let mut events = Vec::new();
        let changes = self.writer.commit(&mut |batch| {
            events.clear();
            stage(batch, &mut events)
        })?;
        self.events.enqueue(events);
        self.events.dispatch();
        Ok(changes)
    }

    /// Writes through `sink`: committed now (with the sink's cursor), or
    /// gathered into a page segment's one write. A failed `stage` adds
    /// nothing to a segment.
    pub(crate) fn write_to(
        &self,
        sink: &mut Sink<'_>,
        mut stage: impl FnMut(&mut WriteBatch, &mut Vec<MsgEvent>) -> ImResult<()>,
    ) -> ImResult<()> {
        match sink {
            Sink::Now(cursor) => self.commit_at(*cursor, stage).map(drop),
            Sink::Gather(gathered) => {
                let mut batch = WriteBatch::new();
                let mut events = Vec::new();
                stage(&mut batch, &mut events)?;
                for op in batch.ops() {
                    gathered.batch.push(op.clone());
                }
                gathered.events.extend(events);
                Ok(())
            }
        }
    }

    /// Commits what a segment gathered, with the segment's last cursor.
    pub(crate) fn commit_gathered(&self, gathered: &Gathered, cursor: u64) -> ImResult<()> {
        self.commit_at(Some(cursor), |batch, events| {
            for op in gathered.batch.ops() {
                batch.push(op.clone());
            }
            events.extend(gathered.events.iter().cloned());
            Ok(())
        })
        .map(drop)
    }

    /// [`MessageService::commit`], also saving the server event cursor
    /// (when given) in the same batch.
    pub(crate) fn commit_at(
        &self,
        cursor: Option<u64>,
        mut stage: impl FnMut(&mut WriteBatch, &mut Vec<MsgEvent>) -> ImResult<()>,
    ) -> ImResult<Vec<ConvChange>> {
        self.commit(|batch, events| {
            stage(batch, events)?;
            if let Some(position) = cursor {
                batch.push(WriteOp::PutSetting {
                    key: EVENT_CURSOR_KEY.to_owned(),
                    value: position.to_string(),
                });
            }
            Ok(())
        })
    }

    /// The position in the server's event stream of the last event applied
    /// (saved with that event's effects).
    pub fn event_cursor(&self) -> u64 {
        *self
            .event_cursor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_event_cursor(&self, position: u64) {
        *self
            .event_cursor
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = position;
    }

    /// The stored conversation, or a new one created now.
    pub(crate) fn conversation_or_new(&self, id: &ConvId) -> ImResult<Conversation> {
        match self.store.conversation(id)? {
            Some(conv) => Ok(conv),
            None => self.new_conversation(id),
        }
    }

    /// The stored copy of an app-given message (looked up by its id).
    ///
    /// # Errors
    /// 6017 when the message has no id or is not stored.
    pub(crate) fn stored_copy(
        &self,
        message: &im_model::message::Message,
    ) -> ImResult<im_model::message::Message> {
        let msg_id = message
            .msg_id
            .as_deref()
            .ok_or_else(|| im_model::ImError::invalid_param("message_msg_id is required"))?;
        self.store.message(msg_id)?.ok_or_else(|| {
            im_model::ImError::invalid_param(format!("message {msg_id} is not stored"))
        })
    }

    pub(crate) fn lock_in_flight(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<()>>> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
