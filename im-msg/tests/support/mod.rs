//! Test support: the message service wired to the in-memory store, the
//! real conversation service and the scriptable test transport.
#![allow(dead_code, missing_docs)]

use std::sync::{Arc, Mutex};

use im_conv::{ConvEvent, ConversationService};
use im_model::message::Message;
use im_model::{ConvId, ManualClock};
use im_msg::{EVENT_CURSOR_KEY, Listener, MessageConfig, MessageService, MsgEvent};
use im_store::{MemoryStore, Store, WriteBatch, WriteOp};
use im_store_sqlite::SqliteStore;
use im_transport::testing::TestTransport;

pub struct Recorder<E>(Mutex<Vec<E>>);

impl<E> Default for Recorder<E> {
    fn default() -> Self {
        Recorder(Mutex::new(Vec::new()))
    }
}

impl<E: Clone> Recorder<E> {
    pub fn take(&self) -> Vec<E> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl<E: Clone + Send> Listener<E> for Recorder<E> {
    fn on_event(&self, event: &E) {
        self.0.lock().unwrap().push(event.clone());
    }
}

pub struct Harness {
    pub store: Arc<dyn Store>,
    pub convs: Arc<ConversationService>,
    pub msgs: Arc<MessageService>,
    pub server: Arc<TestTransport>,
    pub clock: Arc<ManualClock>,
    pub events: Arc<Recorder<MsgEvent>>,
    pub conv_events: Arc<Recorder<ConvEvent>>,
    /// Keeps a file database's directory alive.
    _dir: Option<Arc<tempfile::TempDir>>,
}

pub const ME: &str = "me";

/// Which store a harness runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Sqlite,
}

/// The message service on the in-memory store.
pub fn harness() -> Harness {
    harness_on(Backend::Memory)
}

/// The message service on `backend` (SQLite: a WAL file in a temporary
/// directory, as apps use it).
pub fn harness_on(backend: Backend) -> Harness {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let server = Arc::new(TestTransport::new(clock.clone()));
    let (store, dir) = new_store(backend);
    start(store, server, clock, dir)
}

/// An empty store on `backend` (SQLite: a WAL file in a temporary
/// directory, kept alive by the second value).
fn new_store(backend: Backend) -> (Arc<dyn Store>, Option<Arc<tempfile::TempDir>>) {
    match backend {
        Backend::Memory => (Arc::new(MemoryStore::new()), None),
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path().join("im.db")).unwrap();
            (Arc::new(store), Some(Arc::new(dir)))
        }
    }
}

/// The message service on a store a test provides (e.g. one that fails
/// chosen writes).
pub fn harness_with_store(store: Arc<dyn Store>) -> Harness {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let server = Arc::new(TestTransport::new(clock.clone()));
    start(store, server, clock, None)
}

fn start(
    store: Arc<dyn Store>,
    server: Arc<TestTransport>,
    clock: Arc<ManualClock>,
    dir: Option<Arc<tempfile::TempDir>>,
) -> Harness {
    // These tests apply server events on a device that synced before (at
    // cursor 0, so every event the test double logs is new to it); a
    // device's first sync, which starts from the server's snapshot instead,
    // is tested on its own (`fresh_harness`, `snapshot.rs`).
    if store.setting(EVENT_CURSOR_KEY).unwrap().is_none() {
        let mut batch = WriteBatch::new();
        batch.push(WriteOp::PutSetting {
            key: EVENT_CURSOR_KEY.to_owned(),
            value: "0".to_owned(),
        });
        store.apply(&batch).unwrap();
    }
    start_as_is(store, server, clock, dir)
}

/// A device that never synced, on `backend`: its first sync starts from
/// the server's snapshot.
pub fn fresh_harness(
    backend: Backend,
    server: Arc<TestTransport>,
    clock: Arc<ManualClock>,
) -> Harness {
    let (store, dir) = new_store(backend);
    start_as_is(store, server, clock, dir)
}

fn start_as_is(
    store: Arc<dyn Store>,
    server: Arc<TestTransport>,
    clock: Arc<ManualClock>,
    dir: Option<Arc<tempfile::TempDir>>,
) -> Harness {
    let convs = Arc::new(ConversationService::new(store.clone(), clock.clone()).unwrap());
    let msgs = Arc::new(
        MessageService::new(
            store.clone(),
            convs.clone(),
            server.clone(),
            clock.clone(),
            MessageConfig::new(ME),
        )
        .unwrap(),
    );
    let recount: Arc<dyn im_store::UnreadRecount> = msgs.clone();
    convs.set_unread_recount(&recount);
    let events = Arc::new(Recorder::default());
    msgs.add_listener(events.clone());
    let conv_events = Arc::new(Recorder::default());
    convs.add_listener(conv_events.clone());
    Harness {
        store,
        convs,
        msgs,
        server,
        clock,
        events,
        conv_events,
        _dir: dir,
    }
}

impl Harness {
    /// The app restarts: new services over the same store (a file database
    /// is opened again), server and clock.
    pub fn restart(self) -> Harness {
        let Harness {
            store,
            server,
            clock,
            _dir,
            ..
        } = self;
        let store = match &_dir {
            Some(dir) => {
                drop(store);
                Arc::new(SqliteStore::open(dir.path().join("im.db")).unwrap()) as Arc<dyn Store>
            }
            None => store,
        };
        start(store, server, clock, _dir)
    }
}

/// Runs each test body once per backend, as `name::memory` and `name::sqlite`.
#[macro_export]
macro_rules! on_every_backend {
    ($(async fn $name:ident($h:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test]
                async fn memory() {
                    #[allow(unused_mut)]
                    let mut $h = support::harness_on(support::Backend::Memory);
                    $body
                }

                #[tokio::test]
                async fn sqlite() {
                    #[allow(unused_mut)]
                    let mut $h = support::harness_on(support::Backend::Sqlite);
                    $body
                }
            }
        )*
    };
}

pub fn c2c(peer: &str) -> ConvId {
    ConvId::c2c(peer).unwrap()
}

pub fn group(id: &str) -> ConvId {
    ConvId::group(id).unwrap()
}

pub fn text(s: &str) -> Message {
    Message::text(s)
}

/// A text message that mentions this user (`ME`).
pub fn mentioning_me(s: &str) -> Message {
    Message {
        group_at_user_array: Some(vec![ME.to_owned()]),
        ..Message::text(s)
    }
}

impl Harness {
    /// A peer's message arrives through the server and is synced.
    pub async fn peer_sends(&self, conv: &ConvId, sender: &str, message: Message) -> Message {
        let delivered = self.server.deliver_from_peer(conv, sender, message);
        self.msgs.sync_events().await.unwrap();
        delivered
    }

    pub fn unread(&self, conv: &ConvId) -> u64 {
        self.convs
            .conversation(conv)
            .unwrap()
            .and_then(|c| c.unread_num)
            .unwrap_or(0)
    }

    pub fn last_id(&self, conv: &ConvId) -> Option<String> {
        self.convs
            .conversation(conv)
            .unwrap()
            .and_then(|c| c.last_msg)
            .and_then(|m| m.msg_id)
    }

    /// The sequences of the mentions a conversation still holds.
    pub fn mention_seqs(&self, conv: &ConvId) -> Vec<u64> {
        self.convs
            .conversation(conv)
            .unwrap()
            .and_then(|c| c.group_at_info_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.seq)
            .collect()
    }

    /// How many messages each new-message announcement since the last
    /// take carried.
    pub fn announcement_sizes(&self) -> Vec<usize> {
        self.events
            .take()
            .into_iter()
            .filter_map(|e| match e {
                MsgEvent::NewMessages(list) => Some(list.len()),
                _ => None,
            })
            .collect()
    }

    /// How many conversations each added/updated event since the last take
    /// carried (one event per write).
    pub fn conversation_change_sizes(&self) -> Vec<usize> {
        self.conv_events
            .take()
            .into_iter()
            .filter_map(|e| match e {
                ConvEvent::Added(list) | ConvEvent::Updated(list) => Some(list.len()),
                _ => None,
            })
            .collect()
    }

    pub fn new_message_ids(&self) -> Vec<String> {
        self.events
            .take()
            .into_iter()
            .flat_map(|e| match e {
                MsgEvent::NewMessages(list) => list.into_iter().filter_map(|m| m.msg_id).collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}

impl Harness {
    /// Revoke notices announced since the last take.
    pub fn revoke_notices(&self) -> Vec<im_model::message::RevokeNotice> {
        self.events
            .take()
            .into_iter()
            .filter_map(|e| match e {
                MsgEvent::Revoked(list) => Some(list),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Read receipts announced since the last take.
    pub fn receipts(&self) -> Vec<im_model::message::MessageReceipt> {
        self.events
            .take()
            .into_iter()
            .filter_map(|e| match e {
                MsgEvent::ReadReceipts(list) => Some(list),
                _ => None,
            })
            .flatten()
            .collect()
    }
}
