//! The demo's users: an SDK session each, with what its event stream
//! brought so far, so a step can wait for "bob has message X" whether it
//! already came or is still on its way.

use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use im_model::message::{Message, MessageReceipt, RevokeNotice};
use im_msg::MsgEvent;
use im_sdk::SdkEvent;

use crate::connect::{self, Login, Session};

/// How long any wait of the demo may take before it is a failure.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// One device of one user.
pub struct Person {
    /// `alice`, `bob`, `carol`.
    pub user: &'static str,
    /// The logged-in SDK.
    pub session: Session,
    events: Pin<Box<dyn Stream<Item = SdkEvent> + Send>>,
    /// Messages received (new-message events), in order.
    pub inbox: Vec<Message>,
    /// Read receipts received.
    pub receipts: Vec<MessageReceipt>,
    /// Revoke notices received.
    pub revokes: Vec<RevokeNotice>,
    /// Upload progress of our sends: (msg_id, current, total).
    pub uploads: Vec<(String, u64, u64)>,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Person {
    /// Logs `user` in on `platform` with its data in `dir`.
    pub async fn log_in(
        server_url: &str,
        key: &im_server::SigKey,
        user: &'static str,
        platform: u32,
        dir: &Path,
    ) -> Result<Person, String> {
        let sig = key.generate(user, connect::unix_now(), 86_400);
        let session = connect::log_in(&Login {
            server_url,
            sdk_app_id: key.sdk_app_id(),
            user_id: user,
            user_sig: &sig,
            platform,
            data_dir: dir,
            // Push delivers; a long interval shows that it does.
            sync_interval: Duration::from_secs(60),
        })
        .await
        .map_err(|e| format!("{user} cannot log in: {e}"))?;
        let events = Box::pin(session.client.events());
        Ok(Person {
            user,
            session,
            events,
            inbox: Vec::new(),
            receipts: Vec::new(),
            revokes: Vec::new(),
            uploads: Vec::new(),
        })
    }

    /// Waits until `found` sees what it looks for in what arrived.
    pub async fn until<T>(
        &mut self,
        what: &str,
        mut found: impl FnMut(&Person) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(got) = found(self) {
                return Ok(got);
            }
            let event = tokio::time::timeout_at(deadline, self.events.next())
                .await
                .map_err(|_| format!("{}: {what} did not happen within {PATIENCE:?}", self.user))?
                .ok_or_else(|| format!("{}: the event stream ended", self.user))?;
            self.absorb(event);
        }
    }

    /// Waits for the message with `msg_id`.
    pub async fn receive(&mut self, msg_id: &str) -> Result<Message, String> {
        self.until(&format!("message {msg_id}"), |p| {
            p.inbox
                .iter()
                .find(|m| m.msg_id.as_deref() == Some(msg_id))
                .cloned()
        })
        .await
    }

    fn absorb(&mut self, event: SdkEvent) {
        match event {
            SdkEvent::Message(MsgEvent::NewMessages(list)) => self.inbox.extend(list),
            SdkEvent::Message(MsgEvent::ReadReceipts(list)) => self.receipts.extend(list),
            SdkEvent::Message(MsgEvent::Revoked(list)) => self.revokes.extend(list),
            SdkEvent::Message(MsgEvent::UploadProgress {
                msg_id,
                current,
                total,
                ..
            }) => self.uploads.push((msg_id, current, total)),
            _ => {}
        }
    }
}

/// Polls `probe` until it finds something: for state that converges (a
/// second device catching up) rather than arrives as one event.
pub async fn converge<T>(
    what: &str,
    mut probe: impl AsyncFnMut() -> Result<Option<T>, String>,
) -> Result<T, String> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = probe().await? {
            return Ok(found);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("{what} did not happen within {PATIENCE:?}"));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
