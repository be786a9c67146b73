//! The client: one app's connection to the IM system, and its sessions.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::Stream;
use im_conv::ConversationService;
use im_model::message::Message;
use im_model::{Clock, ConvId, ErrorCode, ImError, ImResult};
use im_msg::{MessageConfig, MessageService, RetryPolicy};
use im_store::{MemoryStore, Store, UnreadRecount};
use im_transport::{LoginRequest, Transport};
use tokio::sync::{mpsc, oneshot};

use crate::builder::ClientBuilder;
use crate::conversations::ConversationManager;
use crate::engine::{Engine, closed};
use crate::events::{Dispatcher, EventListener, Forward, NetworkStatus, SdkEvent};
use crate::groups::GroupManager;
use crate::messages::MessageManager;
use crate::profiles::ProfileManager;
use crate::runtime::{self, Runtime};
use crate::send_queue::{self, SendJob};
use crate::sync_loop;

/// How long a roaming change waits to come back through the stream.
const ROAMING_WAIT: Duration = Duration::from_secs(5);

/// Where a client keeps its data.
#[derive(Debug, Clone)]
pub(crate) enum StoreChoice {
    /// In memory; gone with the session.
    Memory,
    /// SQLite files under this directory.
    #[cfg(feature = "sqlite")]
    Sqlite(PathBuf),
    /// sled databases under this directory.
    #[cfg(feature = "sled")]
    Sled(PathBuf),
    /// The app's own: a store per user, opened by its function (the
    /// browser build opens SQLite on OPFS this way).
    Custom(StoreOpener),
}

/// Opens the store of a user: [`ClientBuilder::store_opener`].
#[derive(Clone)]
pub(crate) struct StoreOpener(pub(crate) Arc<OpenStore>);

/// The function behind a [`StoreOpener`].
pub(crate) type OpenStore = dyn Fn(&str) -> ImResult<Arc<dyn Store>> + Send + Sync;

impl std::fmt::Debug for StoreOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreOpener")
    }
}

/// A client's fixed settings.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) sdk_app_id: u64,
    pub(crate) store: StoreChoice,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pub(crate) sync_interval: Duration,
    pub(crate) runtime: Runtime,
}

/// The logic services of one logged-in user. The message service owns the
/// conversation service (its writer); the conversation service refers back
/// weakly, so dropping this drops both and closes the store.
pub(crate) struct Services {
    pub(crate) convs: Arc<ConversationService>,
    pub(crate) msgs: Arc<MessageService>,
    pub(crate) transport: Arc<dyn Transport>,
}

/// One login: the user's services, the engine their calls run through,
/// and the tasks working for it (sync loop, send queue).
pub(crate) struct Session {
    pub(crate) user_id: String,
    pub(crate) services: Arc<Services>,
    pub(crate) engine: Engine,
    pub(crate) config: Config,
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) tasks: tokio_util::task::TaskTracker,
    pub(crate) cancel: tokio_util::sync::CancellationToken,
    pub(crate) jobs: mpsc::UnboundedSender<SendJob>,
    network: Mutex<NetworkStatus>,
    /// The stream cursor the sync loop has applied, published after each pull.
    pub(crate) applied: tokio::sync::watch::Sender<u64>,
    /// Wakes the sync loop before its interval ends.
    pub(crate) wake: tokio::sync::Notify,
    /// The server ended the session (kicked off, UserSig expired).
    ended: std::sync::atomic::AtomicBool,
}

impl Session {
    /// The server ended the session: its work stops and the app is told;
    /// the client counts as logged out from now on.
    pub(crate) fn end_by_server(&self, code: ErrorCode) {
        if self.ended.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        tracing::warn!(%code, "the server ended the session");
        self.cancel.cancel();
        self.dispatcher.send(match code {
            ErrorCode::KickedOffByOther => SdkEvent::KickedOffline,
            _ => SdkEvent::UserSigExpired,
        });
    }

    /// Waits until the sync loop applied the stream up to `cursor` (so a
    /// change this device made shows here, in stream order); at most
    /// `ROAMING_WAIT`, after which the change still arrives, later.
    pub(crate) async fn wait_applied(&self, cursor: u64) {
        let mut applied = self.applied.subscribe();
        self.wake.notify_one();
        let reached = applied.wait_for(|at| *at >= cursor);
        if runtime::timeout(ROAMING_WAIT, reached).await.is_none() {
            tracing::warn!(cursor, "a roaming change is not applied here yet");
        }
    }

    fn is_ended(&self) -> bool {
        self.ended.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Records the connection state; an event is raised when it changes.
    pub(crate) fn set_network(&self, status: NetworkStatus) {
        let mut current = self.network.lock().unwrap_or_else(PoisonError::into_inner);
        if *current != status {
            *current = status;
            drop(current);
            self.dispatcher.send(SdkEvent::Network(status));
        }
    }
}

/// Where the client is in its life.
enum Slot {
    LoggedOut,
    /// A login or logout is under way.
    Busy,
    LoggedIn(Arc<Session>),
    ShutDown,
}

struct Inner {
    config: Config,
    dispatcher: Arc<Dispatcher>,
    slot: Mutex<Slot>,
}

/// An app's IM client: cheap to clone, usable from any thread and task.
///
/// Every call into the conversation and message layers runs behind the
/// runtime boundary (see the `engine` module): on tokio's blocking pool,
/// never on an async worker. Events arrive in commit order on one
/// dispatcher thread ([`Client::events`], [`Client::add_event_listener`]).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

// `Client` is shared across threads and tasks by apps and the C API.
const _: fn() = || {
    fn shared<T: Clone + Send + Sync + 'static>() {}
    shared::<Client>();
};

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("sdk_app_id", &self.inner.config.sdk_app_id)
            .field("user_id", &self.login_user_id())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn start(config: Config) -> ImResult<Client> {
        let dispatcher = Dispatcher::start().map_err(|e| {
            ImError::new(
                ErrorCode::IoOperationFailed,
                format!("cannot start the event thread: {e}"),
            )
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                dispatcher: Arc::new(dispatcher),
                slot: Mutex::new(Slot::LoggedOut),
            }),
        })
    }

    /// The conversation functions.
    pub fn conversations(&self) -> ConversationManager {
        ConversationManager {
            client: self.clone(),
        }
    }

    /// The message functions.
    pub fn messages(&self) -> MessageManager {
        MessageManager {
            client: self.clone(),
        }
    }

    /// The group functions.
    pub fn groups(&self) -> GroupManager {
        GroupManager {
            client: self.clone(),
        }
    }

    /// The profile functions.
    pub fn profiles(&self) -> ProfileManager {
        ProfileManager {
            client: self.clone(),
        }
    }

    /// The logged-in user, if any (`TIMGetLoginUserID`).
    pub fn login_user_id(&self) -> Option<String> {
        match &*self.lock_slot() {
            Slot::LoggedIn(session) if !session.is_ended() => Some(session.user_id.clone()),
            _ => None,
        }
    }

    /// Every event from now on, in commit order, until shutdown.
    pub fn events(&self) -> impl Stream<Item = SdkEvent> + Send + 'static {
        self.inner.dispatcher.subscribe()
    }

    /// Adds a listener called on the dispatcher thread for every event.
    pub fn add_event_listener(&self, listener: Arc<dyn EventListener>) {
        self.inner.dispatcher.add_listener(listener);
    }

    /// Removes a listener added with [`Client::add_event_listener`].
    pub fn remove_event_listener(&self, listener: &Arc<dyn EventListener>) {
        self.inner.dispatcher.remove_listener(listener);
    }

    /// Logs `user_id` in (`TIMLogin`): the server checks the UserSig, the
    /// user's store is opened, messages left `Sending` by an earlier run are
    /// handed to the send queue, and the sync loop starts. Logging in again
    /// as the logged-in user does nothing.
    ///
    /// # Errors
    /// 6017 for an invalid user id or a login as another user while one
    /// is logged in; 6015 while a login or logout is under way; the server's error (e.g.
    /// 70001 for an expired UserSig); 6019 when the store cannot be opened;
    /// -1 after shutdown.
    #[tracing::instrument(level = "info", skip(self, user_sig))]
    pub async fn login(&self, user_id: &str, user_sig: &str) -> ImResult<()> {
        check_user_id(user_id)?;
        // A session the server ended is finished off first.
        let ended = {
            let mut slot = self.lock_slot();
            match &*slot {
                Slot::LoggedIn(s) if s.is_ended() => {
                    match std::mem::replace(&mut *slot, Slot::Busy) {
                        Slot::LoggedIn(s) => Some(s),
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        if let Some(session) = ended {
            if let Err(e) = end_session(session).await {
                tracing::info!(error = %e, "ending the session the server ended");
            }
            *self.lock_slot() = Slot::LoggedOut;
        }
        {
            let mut slot = self.lock_slot();
            match &*slot {
                Slot::LoggedIn(s) if s.user_id == user_id => return Ok(()),
                Slot::LoggedIn(s) => {
                    return Err(ImError::invalid_param(format!(
                        "{} is logged in; log out first",
                        s.user_id
                    )));
                }
                Slot::Busy => return Err(busy()),
                Slot::ShutDown => return Err(closed()),
                Slot::LoggedOut => *slot = Slot::Busy,
            }
        }
        let result = self.open_session(user_id, user_sig).await;
        let mut slot = self.lock_slot();
        match result {
            Ok(session) => {
                *slot = Slot::LoggedIn(session);
                Ok(())
            }
            Err(e) => {
                *slot = Slot::LoggedOut;
                Err(e)
            }
        }
    }

    async fn open_session(&self, user_id: &str, user_sig: &str) -> ImResult<Arc<Session>> {
        let config = self.inner.config.clone();
        let dispatcher = self.inner.dispatcher.clone();
        dispatcher.send(SdkEvent::Network(NetworkStatus::Connecting));
        config
            .transport
            .login(LoginRequest {
                user_id: user_id.to_owned(),
                user_sig: user_sig.to_owned(),
            })
            .await?;
        let (services, pending) = {
            let config = config.clone();
            let dispatcher = dispatcher.clone();
            let user_id = user_id.to_owned();
            config
                .runtime
                .clone()
                .blocking(move || open_services(&config, &dispatcher, &user_id))
                .await
                .map_err(|e| {
                    ImError::new(
                        ErrorCode::IoOperationFailed,
                        format!("opening the store failed: {e}"),
                    )
                })??
        };
        let (jobs, queue) = mpsc::unbounded_channel();
        let session = Arc::new(Session {
            user_id: user_id.to_owned(),
            services: Arc::new(services),
            engine: Engine::new(config.runtime.clone()),
            config,
            dispatcher,
            tasks: tokio_util::task::TaskTracker::new(),
            cancel: tokio_util::sync::CancellationToken::new(),
            jobs,
            network: Mutex::new(NetworkStatus::Connecting),
            applied: tokio::sync::watch::Sender::new(0),
            wake: tokio::sync::Notify::new(),
            ended: std::sync::atomic::AtomicBool::new(false),
        });
        session.set_network(NetworkStatus::Connected);
        // What an earlier run accepted but did not see sent goes first.
        for (conv, message) in pending {
            let _ = session.jobs.send(SendJob {
                conv,
                message,
                reply: None,
            });
        }
        let runtime = session.config.runtime.clone();
        runtime.spawn(&session.tasks, send_queue::run(session.clone(), queue));
        runtime.spawn(&session.tasks, sync_loop::run(session.clone()));
        Ok(session)
    }

    /// Logs out (`TIMLogout`): the sync loop and the send queue stop (a
    /// message still `Sending` is sent after the next login), calls in
    /// flight finish, the session ends on the server and the store closes.
    ///
    /// # Errors
    /// -2 when not logged in; 6015 while a login or logout is under way;
    /// the server's error for the logout request (the local session ends
    /// anyway).
    #[tracing::instrument(level = "info", skip(self))]
    pub async fn logout(&self) -> ImResult<()> {
        let session = {
            let mut slot = self.lock_slot();
            match std::mem::replace(&mut *slot, Slot::Busy) {
                Slot::LoggedIn(session) => session,
                other => {
                    let error = match &other {
                        Slot::Busy => busy(),
                        Slot::ShutDown => closed(),
                        _ => ImError::new(ErrorCode::NotLogin, "not logged in"),
                    };
                    *slot = other;
                    return Err(error);
                }
            }
        };
        let result = end_session(session).await;
        *self.lock_slot() = Slot::LoggedOut;
        result
    }

    /// Shuts the client down: logs out if logged in, delivers the events
    /// already raised, ends every stream and joins every thread and task it
    /// started. Calls made afterwards fail with -1.
    pub async fn shutdown(&self) {
        let session = {
            let mut slot = self.lock_slot();
            match std::mem::replace(&mut *slot, Slot::ShutDown) {
                Slot::LoggedIn(session) => Some(session),
                _ => None,
            }
        };
        if let Some(session) = session
            && let Err(e) = end_session(session).await
        {
            tracing::warn!(error = %e, "logout at shutdown failed");
        }
        let dispatcher = self.inner.dispatcher.clone();
        // Joining the dispatcher thread blocks: not on an async worker.
        if self
            .inner
            .config
            .runtime
            .blocking(move || dispatcher.stop())
            .await
            .is_err()
        {
            tracing::error!("stopping the event dispatcher failed");
        }
    }

    /// The current session.
    pub(crate) fn session(&self) -> ImResult<Arc<Session>> {
        match &*self.lock_slot() {
            Slot::LoggedIn(session) if !session.is_ended() => Ok(session.clone()),
            Slot::ShutDown => Err(closed()),
            _ => Err(ImError::new(ErrorCode::NotLogin, "not logged in")),
        }
    }

    /// Runs a call into the logic services behind the runtime boundary.
    pub(crate) async fn call<T, F, Fut>(&self, call: F) -> ImResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Services>) -> Fut + Send + 'static,
        Fut: Future<Output = ImResult<T>>,
    {
        let session = self.session()?;
        session.engine.run(session.services.clone(), call).await
    }

    /// Runs a roaming change (it returns the stream cursor of the change,
    /// and its result), then waits until this device applied the stream up
    /// to that cursor: local state changes only through the ordered stream,
    /// so an older event can never undo a newer change here. It returns
    /// after the dispatcher delivered the events queued by then, so the
    /// change's events (a group created, a conversation deleted) reach the
    /// app before the call's answer.
    pub(crate) async fn call_roaming<T, F, Fut>(&self, call: F) -> ImResult<T>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Services>) -> Fut + Send + 'static,
        Fut: Future<Output = ImResult<(Option<u64>, T)>>,
    {
        let session = self.session()?;
        let (cursor, result) = session.engine.run(session.services.clone(), call).await?;
        if let Some(cursor) = cursor {
            session.wait_applied(cursor).await;
            // And its events delivered: the app sees the change's events
            // before the call's answer.
            session.dispatcher.delivered().await;
        }
        Ok(result)
    }

    /// Stores a message to send and hands it to the send queue; returns it
    /// with its id, and the outcome to await.
    pub(crate) async fn queue_send(
        &self,
        conv: &ConvId,
        message: &Message,
    ) -> ImResult<(Message, impl Future<Output = ImResult<Message>> + use<>)> {
        let session = self.session()?;
        let (conv, message) = (conv.clone(), message.clone());
        let queued = {
            let conv = conv.clone();
            session
                .engine
                .run(session.services.clone(), move |s| async move {
                    s.msgs.queue_message(&conv, &message)
                })
                .await?
        };
        let (reply, outcome) = oneshot::channel();
        session
            .jobs
            .send(SendJob {
                conv,
                message: queued.clone(),
                reply: Some(reply),
            })
            .map_err(|_| closed())?;
        Ok((queued, async move {
            outcome.await.unwrap_or_else(|_| Err(closed()))
        }))
    }

    fn lock_slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.inner
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Stops a session's tasks, waits for its calls, ends it on the server and
/// drops it (closing the store).
async fn end_session(session: Arc<Session>) -> ImResult<()> {
    session.cancel.cancel();
    session.tasks.close();
    session.tasks.wait().await;
    session.engine.close().await;
    // A session the server ended needs no logout request.
    let result = if session.is_ended() {
        Ok(())
    } else {
        session.config.transport.logout().await
    };
    // The last reference: services and store close here, off the workers.
    let services = session.services.clone();
    let runtime = session.config.runtime.clone();
    drop(session);
    if runtime.blocking(move || drop(services)).await.is_err() {
        tracing::error!("closing the store failed");
    }
    result
}

/// Opens the user's store and services, and reads the send queue left by
/// an earlier run. Runs on a blocking thread.
fn open_services(
    config: &Config,
    dispatcher: &Arc<Dispatcher>,
    user_id: &str,
) -> ImResult<(Services, Vec<(ConvId, Message)>)> {
    let store: Arc<dyn Store> = match &config.store {
        StoreChoice::Memory => Arc::new(MemoryStore::new()),
        StoreChoice::Custom(StoreOpener(open)) => open(user_id)?,
        #[cfg(feature = "sqlite")]
        StoreChoice::Sqlite(dir) => {
            let dir = user_dir(dir, config.sdk_app_id, user_id)?;
            Arc::new(im_store_sqlite::SqliteStore::open(
                dir.join(SQLITE_STORE_FILE),
            )?)
        }
        #[cfg(feature = "sled")]
        StoreChoice::Sled(dir) => {
            let dir = user_dir(dir, config.sdk_app_id, user_id)?;
            Arc::new(im_store_sled::SledStore::open(dir.join(SLED_STORE_DIR))?)
        }
    };
    let convs = Arc::new(ConversationService::new(
        store.clone(),
        config.clock.clone(),
    )?);
    let msgs = Arc::new(MessageService::new(
        store,
        convs.clone(),
        config.transport.clone(),
        config.clock.clone(),
        MessageConfig {
            // Receive options come back through the stream, like the rest
            // of the roaming state.
            roaming_echo: true,
            ..MessageConfig::new(user_id)
        },
    )?);
    let recount: Arc<dyn UnreadRecount> = msgs.clone();
    convs.set_unread_recount(&recount);
    let forward = Arc::new(Forward {
        dispatcher: dispatcher.clone(),
    });
    convs.add_listener(forward.clone());
    msgs.add_listener(forward);
    let pending = msgs.pending_sends(usize::MAX)?;
    Ok((
        Services {
            convs,
            msgs,
            transport: config.transport.clone(),
        },
        pending,
    ))
}

/// The folder under a client's data folder that holds one user's local
/// data: `<data_dir>/<sdk_app_id>/<hex of the user id>` (user ids may hold
/// `/` or `..`, which must never reach a path). The SQLite store is
/// [`SQLITE_STORE_FILE`] in it, the sled store [`SLED_STORE_DIR`]. An app
/// may remove the folder, after logout, to forget the user's local data.
pub fn user_data_dir(data_dir: &std::path::Path, sdk_app_id: u64, user_id: &str) -> PathBuf {
    let hex: String = user_id.bytes().map(|b| format!("{b:02x}")).collect();
    data_dir.join(sdk_app_id.to_string()).join(hex)
}

/// The SQLite store's file in [`user_data_dir`].
pub const SQLITE_STORE_FILE: &str = "im.db";

/// The sled store's folder in [`user_data_dir`].
pub const SLED_STORE_DIR: &str = "im.sled";

/// Creates [`user_data_dir`].
#[cfg(any(feature = "sqlite", feature = "sled"))]
fn user_dir(dir: &std::path::Path, sdk_app_id: u64, user_id: &str) -> ImResult<PathBuf> {
    let dir = user_data_dir(dir, sdk_app_id, user_id);
    std::fs::create_dir_all(&dir).map_err(|e| {
        ImError::new(
            ErrorCode::IoOperationFailed,
            format!("cannot create {}: {e}", dir.display()),
        )
    })?;
    Ok(dir)
}

/// Tencent's identifier rule: printable ASCII, 1 to 32 bytes.
fn check_user_id(user_id: &str) -> ImResult<()> {
    let printable = user_id.bytes().all(|b| (0x20..=0x7e).contains(&b));
    if user_id.is_empty() || user_id.len() > 32 || !printable {
        return Err(ImError::invalid_param(
            "user_id must be 1 to 32 printable ASCII characters",
        ));
    }
    Ok(())
}

fn busy() -> ImError {
    ImError::new(ErrorCode::InProgress, "a login or logout is under way")
}
