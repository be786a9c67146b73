//! Events an app receives, and the one dispatcher that delivers them.
//!
//! The logic crates raise their events right after each commit, on the
//! thread that committed (an engine pool thread). Those listeners only put
//! the event on a channel. One dispatcher thread takes them off in commit
//! order and delivers them: to every [`EventListener`] (app code, e.g. the
//! C API's callbacks) and to every stream from [`crate::Client::events`].
//! So app code never runs while an SDK lock is held, never on the thread
//! that committed, and never on an async worker. In a browser worker,
//! which has one thread, the dispatcher is a task on its event loop
//! instead: app code still runs after the commit, never inside it.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures::Stream;
use im_conv::ConvEvent;
use im_msg::MsgEvent;
use tokio::sync::mpsc;

/// Whether the SDK can reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkStatus {
    /// Logging in or reconnecting.
    Connecting,
    /// The last request to the server succeeded.
    Connected,
    /// The server cannot be reached; sends wait in the send queue.
    Disconnected,
}

/// Something that happened, in commit order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SdkEvent {
    /// A conversation event (spec 1.2): added, updated, deleted, unread
    /// totals, conversation groups.
    Conversation(ConvEvent),
    /// A message event (spec 1.4): new messages, revokes, read receipts,
    /// modifications, upload progress.
    Message(MsgEvent),
    /// The connection to the server changed.
    Network(NetworkStatus),
    /// The session's first pull from the server started
    /// (`kTIMConvEvent_Start`).
    SyncStarted,
    /// How far the first sync has come, after each page it applied: `done`
    /// of `total` positions of the server's event stream. Only between
    /// [`SdkEvent::SyncStarted`] and [`SdkEvent::SyncFinished`], and only
    /// when there was something to pull.
    SyncProgress {
        /// Positions applied.
        done: u64,
        /// Positions to apply (at least `done`).
        total: u64,
    },
    /// The session caught up with the server for the first time
    /// (`kTIMConvEvent_Finish`): the lists now hold what the server had
    /// when it logged in. Once per login.
    SyncFinished,
    /// The same user logged in on another device and took the session over
    /// (`TIMSetKickedOfflineCallback`); the SDK is logged out.
    KickedOffline,
    /// The UserSig expired (`TIMSetUserSigExpiredCallback`); the SDK is
    /// logged out until a login with a new one.
    UserSigExpired,
}

/// Receives every [`SdkEvent`] on the dispatcher thread (the C API's
/// callbacks are one). It must not block for long: events behind it wait.
pub trait EventListener: Send + Sync {
    /// Called once per event, in commit order.
    fn on_event(&self, event: &SdkEvent);
}

/// What the dispatcher delivers to.
#[derive(Default)]
struct Targets {
    listeners: Vec<Arc<dyn EventListener>>,
    streams: Vec<mpsc::UnboundedSender<SdkEvent>>,
}

/// What goes through the dispatcher's channel: an event, or a barrier
/// that is released once every event queued before it was delivered.
enum Item {
    Event(SdkEvent),
    Barrier(tokio::sync::oneshot::Sender<()>),
}

/// The event channel and its dispatcher thread.
pub(crate) struct Dispatcher {
    sender: Mutex<Option<mpsc::UnboundedSender<Item>>>,
    targets: Arc<Mutex<Targets>>,
    #[cfg(not(target_family = "wasm"))]
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Starts the dispatcher thread.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn start() -> std::io::Result<Dispatcher> {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Item>();
        let targets: Arc<Mutex<Targets>> = Arc::default();
        let shared = targets.clone();
        let thread = std::thread::Builder::new()
            .name("im-sdk-events".into())
            .spawn(move || {
                while let Some(item) = receiver.blocking_recv() {
                    deliver(&shared, item);
                }
            })?;
        Ok(Dispatcher {
            sender: Mutex::new(Some(sender)),
            targets,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Starts the dispatcher task on the worker's event loop.
    #[cfg(target_family = "wasm")]
    #[allow(clippy::unnecessary_wraps)] // the same signature as native
    pub(crate) fn start() -> std::io::Result<Dispatcher> {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Item>();
        let targets: Arc<Mutex<Targets>> = Arc::default();
        let shared = targets.clone();
        wasm_bindgen_futures::spawn_local(async move {
            while let Some(item) = receiver.recv().await {
                deliver(&shared, item);
            }
            // Stopped: every stream ends.
            shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .streams
                .clear();
        });
        Ok(Dispatcher {
            sender: Mutex::new(Some(sender)),
            targets,
        })
    }

    /// Queues an event for delivery (from any thread; never blocks).
    pub(crate) fn send(&self, event: SdkEvent) {
        if let Some(sender) = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            // The dispatcher thread ends only at shutdown.
            let _ = sender.send(Item::Event(event));
        }
    }

    /// Resolves once every event queued before this call was delivered to
    /// the listeners and streams (at once when the dispatcher stopped): a
    /// call returns after the events it caused, so an app (and the C API's
    /// callback order) sees the change before the call's answer.
    pub(crate) fn delivered(&self) -> impl Future<Output = ()> + use<> {
        let (done, wait) = tokio::sync::oneshot::channel();
        if let Some(sender) = self
            .sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            let _ = sender.send(Item::Barrier(done));
        }
        async move {
            // A dropped barrier (the dispatcher stopped) releases too.
            let _ = wait.await;
        }
    }

    /// Adds an app listener.
    pub(crate) fn add_listener(&self, listener: Arc<dyn EventListener>) {
        self.lock_targets().listeners.push(listener);
    }

    /// Removes an app listener (compared by pointer).
    pub(crate) fn remove_listener(&self, listener: &Arc<dyn EventListener>) {
        self.lock_targets()
            .listeners
            .retain(|l| !Arc::ptr_eq(l, listener));
    }

    /// A stream of every event from now on, until shutdown.
    pub(crate) fn subscribe(&self) -> impl Stream<Item = SdkEvent> + Send + 'static {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock_targets().streams.push(tx);
        futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|event| (event, rx))
        })
    }

    /// Delivers what is queued, then ends the thread and every stream.
    pub(crate) fn stop(&self) {
        drop(
            self.sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        #[cfg(not(target_family = "wasm"))]
        {
            let thread = self
                .thread
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(thread) = thread
                && thread.join().is_err()
            {
                tracing::error!("the event dispatcher thread panicked");
            }
            self.lock_targets().streams.clear();
        }
        // In a browser the task ends once it has delivered what is queued
        // (it holds the streams until then).
    }

    fn lock_targets(&self) -> std::sync::MutexGuard<'_, Targets> {
        self.targets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Delivers one item of the channel: an event to every listener and
/// stream, or the release of a barrier.
fn deliver(targets: &Mutex<Targets>, item: Item) {
    let event = match item {
        Item::Event(event) => event,
        Item::Barrier(done) => {
            // Everything before it was delivered; a caller that stopped
            // waiting does not matter.
            let _ = done.send(());
            return;
        }
    };
    // Copy the targets out, so app code runs without the lock.
    let (listeners, streams) = {
        let mut t = targets.lock().unwrap_or_else(PoisonError::into_inner);
        t.streams.retain(|s| !s.is_closed());
        (t.listeners.clone(), t.streams.clone())
    };
    for listener in listeners {
        // A panicking listener must not end delivery for the others.
        let call = std::panic::AssertUnwindSafe(|| listener.on_event(&event));
        if std::panic::catch_unwind(call).is_err() {
            tracing::error!("an event listener panicked; event delivery goes on");
        }
    }
    for stream in streams {
        // A dropped stream is removed on the next event.
        let _ = stream.send(event.clone());
    }
}

/// Forwards one logic crate's events to the dispatcher.
pub(crate) struct Forward {
    pub(crate) dispatcher: Arc<Dispatcher>,
}

impl im_conv::Listener<ConvEvent> for Forward {
    fn on_event(&self, event: &ConvEvent) {
        self.dispatcher.send(SdkEvent::Conversation(event.clone()));
    }
}

impl im_msg::Listener<MsgEvent> for Forward {
    fn on_event(&self, event: &MsgEvent) {
        self.dispatcher.send(SdkEvent::Message(event.clone()));
    }
}
