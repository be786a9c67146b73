//! A storage failure stops the sync loop without losing or repeating
//! anything: the events are applied, once, by the next sync. Runs over a
//! store that fails chosen writes (the in-memory store underneath).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use im_model::ConvId;
use im_model::message::{Message, MsgLocator};
use im_store::{
    ConvChange, ConvFilter, ConvQuery, Conversation, ConversationHits, ConversationStore,
    Direction, HistoryQuery, MemoryStore, MessageStore, SearchQuery, SettingStore, StoreError,
    StoreResult, UnreadQuery, WriteBatch,
};
use im_transport::ServerEvent;
use support::{Harness, text};

/// The in-memory store, failing the next `fail` writes as a disk would.
#[derive(Debug, Default)]
struct FailingStore {
    inner: MemoryStore,
    fail: AtomicUsize,
}

impl ConversationStore for FailingStore {
    fn conversation(&self, id: &ConvId) -> StoreResult<Option<Conversation>> {
        self.inner.conversation(id)
    }
    fn conversations(&self, ids: &[ConvId]) -> StoreResult<Vec<Conversation>> {
        self.inner.conversations(ids)
    }
    fn list_conversations(&self, query: &ConvQuery<'_>) -> StoreResult<Vec<Conversation>> {
        self.inner.list_conversations(query)
    }
    fn unread_total(&self, filter: &ConvFilter) -> StoreResult<u64> {
        self.inner.unread_total(filter)
    }
    fn conversation_groups(&self) -> StoreResult<Vec<String>> {
        self.inner.conversation_groups()
    }
    fn max_version(&self) -> StoreResult<u64> {
        self.inner.max_version()
    }
    fn apply(&self, batch: &WriteBatch) -> StoreResult<Vec<ConvChange>> {
        let failing = self
            .fail
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(StoreError::backend(std::io::Error::other("disk full")));
        }
        self.inner.apply(batch)
    }
}

impl MessageStore for FailingStore {
    fn message(&self, msg_id: &str) -> StoreResult<Option<Message>> {
        self.inner.message(msg_id)
    }
    fn messages(&self, msg_ids: &[String]) -> StoreResult<Vec<Message>> {
        self.inner.messages(msg_ids)
    }
    fn history(&self, query: &HistoryQuery) -> StoreResult<Vec<Message>> {
        self.inner.history(query)
    }
    fn messages_by_seqs(&self, conv: &ConvId, seqs: &[u64]) -> StoreResult<Vec<Message>> {
        self.inner.messages_by_seqs(conv, seqs)
    }
    fn sending_messages(&self, limit: usize) -> StoreResult<Vec<(ConvId, Message)>> {
        self.inner.sending_messages(limit)
    }
    fn nearest_by_seq(
        &self,
        conv: &ConvId,
        seq: u64,
        direction: Direction,
    ) -> StoreResult<Option<Message>> {
        self.inner.nearest_by_seq(conv, seq, direction)
    }
    fn find_by_locator(&self, conv: &ConvId, locator: &MsgLocator) -> StoreResult<Option<Message>> {
        self.inner.find_by_locator(conv, locator)
    }
    fn count_unread(&self, query: &UnreadQuery) -> StoreResult<u64> {
        self.inner.count_unread(query)
    }
    fn search_messages(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<(ConvId, Message)>)> {
        self.inner.search_messages(query, offset, limit)
    }
    fn search_conversations(
        &self,
        query: &SearchQuery,
        offset: usize,
        limit: usize,
    ) -> StoreResult<(u64, Vec<ConversationHits>)> {
        self.inner.search_conversations(query, offset, limit)
    }
}

impl SettingStore for FailingStore {
    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.inner.setting(key)
    }
}

/// The harness over a failing store, with the store at hand.
fn app() -> (Harness, Arc<FailingStore>) {
    let store = Arc::new(FailingStore::default());
    (support::harness_with_store(store.clone()), store)
}

fn announced(h: &Harness) -> usize {
    h.announcement_sizes().iter().sum()
}

#[tokio::test]
async fn test_a_storage_failure_stops_the_sync_and_the_next_sync_applies_everything_once() {
    let (app, store) = app();
    let (team, bob) = (ConvId::group("team").unwrap(), ConvId::c2c("bob").unwrap());
    for i in 0..3 {
        app.server
            .deliver_from_peer(&team, "carol", text(&format!("team {i}")));
    }
    let first = app.server.deliver_from_peer(&bob, "bob", text("hi"));
    app.server.push_event(ServerEvent::Revoked {
        conv: bob.clone(),
        msg_id: first.msg_id.clone().unwrap(),
        revoker: "bob".into(),
        reason: String::new(),
    });
    // The page's first write fails: the sync stops with 6019 and applies
    // nothing, and the cursor stays.
    store.fail.store(1, Ordering::SeqCst);
    assert_eq!(app.msgs.sync_events().await.unwrap_err().code(), 6019);
    assert_eq!(app.msgs.event_cursor(), 0);
    assert!(app.convs.conversation(&team).unwrap().is_none());
    // The next sync applies the page once.
    assert_eq!(app.msgs.sync_events().await.unwrap(), 5);
    assert_eq!(announced(&app), 4);
    assert_eq!(app.msgs.event_cursor(), 5);
    let revoked = app.msgs.find_messages(&[first.msg_id.unwrap()]).unwrap();
    assert_eq!(revoked[0].status, Some(im_model::MsgStatus::Revoked));
    assert_eq!(app.msgs.sync_events().await.unwrap(), 0);
}

#[tokio::test]
async fn test_a_storage_failure_during_a_resync_keeps_the_old_cursor() {
    let (app, store) = app();
    let bob = ConvId::c2c("bob").unwrap();
    app.server.deliver_from_peer(&bob, "bob", text("hi"));
    app.server.compact_events(u64::MAX);
    store.fail.store(1, Ordering::SeqCst);
    assert_eq!(app.msgs.sync_events().await.unwrap_err().code(), 6019);
    assert_eq!(app.msgs.event_cursor(), 0);
    // One conversation from the snapshot, its last message stored and
    // counted; history is not announced as new messages.
    assert_eq!(app.msgs.sync_events().await.unwrap(), 1);
    assert_eq!(announced(&app), 0);
    assert_eq!(app.unread(&bob), 1);
    assert_eq!(app.msgs.event_cursor(), 1);
}
