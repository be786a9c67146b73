//! The one SDK instance between `TIMInit` and `TIMUninit`: its runtime,
//! its client and its transport, and how calls run on them.
//!
//! A C function takes a snapshot of the instance ([`current`]), checks its
//! arguments on the caller's thread, then either answers at once or
//! [`Sdk::spawn`]s the async work with the call's [`Completion`]. The
//! runtime's workers only run SDK code; the app is called back on the
//! callback thread (`dispatch`).

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use im_sdk::im_model::{ErrorCode, ImError};
use im_sdk::{Client, EventListener};
use im_transport::http::{HttpConfig, HttpTransport};

use crate::abi::{TIM_ERR_SDKUNINIT, TIMLoginStatus};
use crate::dispatch::{self, Completion};
use crate::events::CallbackBridge;

/// How long `TIMUninit` lets calls in flight finish before dropping them
/// (their callbacks then report 7012).
const UNINIT_GRACE: Duration = Duration::from_secs(10);

/// Where the SDK finds its server and keeps its files.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The SDKAppID.
    pub(crate) sdk_app_id: u64,
    /// `http://host:port` of the server.
    pub(crate) server_url: String,
    /// Where user databases live (`sdk_config_config_file_path`).
    pub(crate) data_dir: PathBuf,
    /// Where log files go (`sdk_config_log_file_path`).
    pub(crate) log_dir: PathBuf,
}

/// The running SDK.
pub(crate) struct Sdk {
    /// What it was started with.
    pub(crate) settings: Settings,
    /// The client engine.
    pub(crate) client: Client,
    handle: tokio::runtime::Handle,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    tasks: tokio_util::task::TaskTracker,
    listener: Arc<dyn EventListener>,
    /// A login or logout under way (`TIMGetLoginStatus`); 0 when none.
    transition: Arc<AtomicU8>,
}

impl std::fmt::Debug for Sdk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sdk")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

static SDK: RwLock<Option<Arc<Sdk>>> = RwLock::new(None);
/// Serializes `TIMInit` and `TIMUninit`.
static LIFECYCLE: Mutex<()> = Mutex::new(());

/// The running SDK, or `TIM_ERR_SDKUNINIT`.
pub(crate) fn current() -> Result<Arc<Sdk>, std::ffi::c_int> {
    SDK.read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .ok_or(TIM_ERR_SDKUNINIT)
}

/// Starts the SDK; does nothing when it already runs for the same
/// SDKAppID (another SDKAppID is refused: `TIMUninit` first).
pub(crate) fn start(settings: Settings) -> Result<(), ImError> {
    let _lifecycle = LIFECYCLE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Ok(running) = current() {
        return if running.settings.sdk_app_id == settings.sdk_app_id {
            Ok(())
        } else {
            Err(ImError::invalid_param(format!(
                "the SDK runs for SDKAppID {}; TIMUninit before initialising for {}",
                running.settings.sdk_app_id, settings.sdk_app_id
            )))
        };
    }
    let io = |what: &str, e: std::io::Error| {
        ImError::new(ErrorCode::IoOperationFailed, format!("{what}: {e}"))
    };
    for dir in [&settings.data_dir, &settings.log_dir] {
        std::fs::create_dir_all(dir).map_err(|e| io(&format!("creating {}", dir.display()), e))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("im-sdk-worker")
        .enable_all()
        .build()
        .map_err(|e| io("starting the SDK runtime", e))?;
    let handle = runtime.handle().clone();
    let client = {
        let _entered = handle.enter();
        let http = HttpTransport::new(HttpConfig::new(settings.server_url.clone()))?;
        Client::builder()
            .sdk_app_id(settings.sdk_app_id)
            .data_dir(settings.data_dir.clone())
            .transport(Arc::new(http))
            .build()?
    };
    let listener: Arc<dyn EventListener> = Arc::new(CallbackBridge);
    client.add_event_listener(listener.clone());
    tracing::info!(
        sdk_app_id = settings.sdk_app_id,
        server = %settings.server_url,
        data = %settings.data_dir.display(),
        "SDK started"
    );
    crate::log::send_to_callback(true);
    *SDK.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(Sdk {
        settings,
        client,
        handle,
        runtime: Mutex::new(Some(runtime)),
        tasks: tokio_util::task::TaskTracker::new(),
        listener,
        transition: Arc::new(AtomicU8::new(0)),
    }));
    Ok(())
}

/// Stops the SDK: new calls fail with `TIM_ERR_SDKUNINIT`, the client
/// logs out and shuts down, calls in flight finish (or are dropped after
/// a grace period, reporting 7012), and every callback posted so far runs
/// before this returns. Returns false when the SDK was not running.
pub(crate) fn stop() -> bool {
    let _lifecycle = LIFECYCLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(sdk) = SDK.write().unwrap_or_else(PoisonError::into_inner).take() else {
        return false;
    };
    // Log lines of the shutdown go to the file only: the callback thread
    // is about to stop for good.
    crate::log::send_to_callback(false);
    let client = sdk.client.clone();
    let tasks = sdk.tasks.clone();
    tasks.close();
    let drained = sdk.handle.block_on(async move {
        client.shutdown().await;
        tokio::time::timeout(UNINIT_GRACE, tasks.wait())
            .await
            .is_ok()
    });
    if !drained {
        tracing::warn!("calls still running at TIMUninit were dropped");
    }
    sdk.client.remove_event_listener(&sdk.listener);
    let runtime = sdk
        .runtime
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(runtime) = runtime {
        // Drops what is left (their completions report 7012 on the way).
        runtime.shutdown_timeout(Duration::from_secs(2));
    }
    dispatch::stop();
    true
}

impl Sdk {
    /// Runs `work` on the runtime, then reports its outcome through
    /// `done` (when the app gave a callback).
    pub(crate) fn spawn<F>(&self, done: Option<Completion>, work: F)
    where
        F: Future<Output = Result<String, ImError>> + Send + 'static,
    {
        self.tasks.spawn_on(
            async move {
                let outcome = work.await;
                if let Some(done) = done {
                    done.result(outcome);
                }
            },
            &self.handle,
        );
    }

    /// Runs `work` on the runtime and waits for it on the calling (app)
    /// thread: for the few calls that must answer before they return
    /// (the message id of `TIMMsgSendMessage`). Fails instead of
    /// deadlocking if called from a runtime worker.
    pub(crate) fn block_on<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T, ImError>> + Send + 'static,
    ) -> Result<T, ImError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ImError::new(
                ErrorCode::Param,
                "a blocking SDK call cannot run inside an async runtime",
            ));
        }
        let task = self.tasks.spawn_on(work, &self.handle);
        self.handle.block_on(task).unwrap_or_else(|e| {
            Err(ImError::new(
                ErrorCode::IoOperationFailed,
                format!("the call failed inside the SDK: {e}"),
            ))
        })
    }

    /// `TIMGetLoginStatus`.
    pub(crate) fn login_status(&self) -> TIMLoginStatus {
        match self.transition.load(Ordering::SeqCst) {
            1 => TIMLoginStatus::kTIMLoginStatus_Logining,
            2 => TIMLoginStatus::kTIMLoginStatus_Logouting,
            _ if self.client.login_user_id().is_some() => TIMLoginStatus::kTIMLoginStatus_Logined,
            _ => TIMLoginStatus::kTIMLoginStatus_UnLogined,
        }
    }

    /// Marks a login (`true`) or logout (`false`) under way until the
    /// returned guard drops.
    pub(crate) fn transition(&self, login: bool) -> Transition {
        self.transition
            .store(if login { 1 } else { 2 }, Ordering::SeqCst);
        Transition(self.transition.clone())
    }
}

/// Ends a login or logout mark when dropped.
#[derive(Debug)]
pub(crate) struct Transition(Arc<AtomicU8>);

impl Drop for Transition {
    fn drop(&mut self) {
        self.0.store(0, Ordering::SeqCst);
    }
}
