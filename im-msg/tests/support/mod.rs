//! Test support: the message service wired to the in-memory store, the
//! real conversation service and the scriptable test transport.
#![allow(dead_code, missing_docs)]

use std::sync::{Arc, Mutex};

use im_conv::{ConvEvent, ConversationService};
use im_model::message::Message;
use im_model::{ConvId, ManualClock};
use im_msg::{Listener, MessageConfig, MessageService, MsgEvent};
use im_store::MemoryStore;
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
    pub store: Arc<MemoryStore>,
    pub convs: Arc<ConversationService>,
    pub msgs: Arc<MessageService>,
    pub server: Arc<TestTransport>,
    pub clock: Arc<ManualClock>,
    pub events: Arc<Recorder<MsgEvent>>,
    pub conv_events: Arc<Recorder<ConvEvent>>,
}

pub const ME: &str = "me";

pub fn harness() -> Harness {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let store = Arc::new(MemoryStore::new());
    let convs = Arc::new(ConversationService::new(store.clone(), clock.clone()).unwrap());
    let server = Arc::new(TestTransport::new(clock.clone()));
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
    convs.set_unread_recount(msgs.clone());
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
    }
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
