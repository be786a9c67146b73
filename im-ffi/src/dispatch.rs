//! The one thread app callbacks run on, and the completion of a call.
//!
//! Every callback into the app (completions, notifications, log lines)
//! runs on one thread, `im-sdk-callbacks`, in the order it was posted: the
//! "SDK internal logic thread" that Tencent's Linux SDK calls back on
//! (spec 0.2). App code therefore never runs on an async worker, never
//! while an SDK lock is held, and never concurrently with another
//! callback. The thread starts on first use and [`stop`] (from
//! `TIMUninit`) runs what was posted, then ends it: no callback runs after
//! `TIMUninit` returns.
//!
//! A [`Completion`] is a call's promise to call its callback exactly once:
//! it posts the result when finished, and an internal error (7012) if it
//! is dropped unfinished (a panic in the call, a runtime shut down under
//! it), so an accepted call can never go silent.

use std::ffi::{CString, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{JoinHandle, ThreadId};

use im_sdk::im_model::{ErrorCode, ImError};

use crate::abi::{ERR_SDK_INTERNAL_ERROR, TIMCommCallback};

/// Work for the callback thread.
type Job = Box<dyn FnOnce() + Send>;

/// An app's `user_data`: handed back untouched, never read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserData(pub(crate) *const c_void);

// SAFETY: the pointer is never dereferenced here; it only travels to the
// callback thread and back to the app, which owns what it points to.
unsafe impl Send for UserData {}
// SAFETY: as above; sharing a pointer value reads nothing.
unsafe impl Sync for UserData {}

impl UserData {
    /// The pointer as the app gave it, or `""` for NULL: wrappers read
    /// `user_data` as a C string (Tencent's Electron wrapper does), so a
    /// callback never gets NULL. (A method, so that a closure moving a
    /// `UserData` captures the whole `Send` value.)
    pub(crate) fn get(self) -> *const c_void {
        if self.0.is_null() {
            c"".as_ptr().cast()
        } else {
            self.0
        }
    }
}

/// The running callback thread. The receiver is shared so that `stop`,
/// called on this thread from inside a callback, can run what is queued
/// behind the current job itself.
struct Worker {
    sender: mpsc::Sender<Job>,
    receiver: Arc<Mutex<mpsc::Receiver<Job>>>,
    thread: JoinHandle<()>,
    id: ThreadId,
}

static WORKER: Mutex<Option<Worker>> = Mutex::new(None);

fn worker() -> std::sync::MutexGuard<'static, Option<Worker>> {
    WORKER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs one job; a panic in it (our code around the app's) is contained so
/// the thread goes on with the next.
fn run(job: Job) {
    if catch_unwind(AssertUnwindSafe(job)).is_err() {
        tracing::error!("a callback job panicked; the callback thread goes on");
    }
}

/// The next job, or `None` once the channel is closed and empty. The lock
/// is held only while taking a job, never while running one.
fn next(receiver: &Mutex<mpsc::Receiver<Job>>) -> Option<Job> {
    receiver
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .recv()
        .ok()
}

/// Starts the callback thread.
fn start() -> std::io::Result<Worker> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let shared = receiver.clone();
    let thread = std::thread::Builder::new()
        .name("im-sdk-callbacks".into())
        .spawn(move || {
            while let Some(job) = next(&shared) {
                run(job);
            }
        })?;
    let id = thread.thread().id();
    Ok(Worker {
        sender,
        receiver,
        thread,
        id,
    })
}

/// Queues `job` for the callback thread, starting the thread if needed.
/// Returns false only when the thread cannot be started.
pub(crate) fn post(job: impl FnOnce() + Send + 'static) -> bool {
    let mut slot = worker();
    if slot.is_none() {
        match start() {
            Ok(w) => *slot = Some(w),
            Err(e) => {
                drop(slot);
                // Logged without the lock: the log layer posts too.
                tracing::error!(error = %e, "cannot start the callback thread");
                return false;
            }
        }
    }
    // The receiver lives as long as the worker, which only `stop` takes
    // out of the slot.
    slot.as_ref()
        .is_some_and(|w| w.sender.send(Box::new(job)).is_ok())
}

/// Runs everything posted so far and ends the callback thread. Called
/// from the callback thread itself (an app calling `TIMUninit` from a
/// callback), it runs what is queued behind the current job right here,
/// so that nothing runs after `TIMUninit` returns either way.
pub(crate) fn stop() {
    let Some(Worker {
        sender,
        receiver,
        thread,
        id,
    }) = worker().take()
    else {
        return;
    };
    drop(sender);
    if std::thread::current().id() == id {
        while let Some(job) = next(&receiver) {
            run(job);
        }
        return;
    }
    if thread.join().is_err() {
        tracing::error!("the callback thread ended by a panic");
    }
}

/// A C string for the app: never NULL, interior NUL bytes dropped (JSON
/// escapes its own, so only free text such as `desc` can carry one).
pub(crate) fn c_text(text: String) -> CString {
    CString::new(text).unwrap_or_else(|e| {
        let mut bytes = e.into_vec();
        bytes.retain(|b| *b != 0);
        CString::new(bytes).unwrap_or_default()
    })
}

/// The promise of one accepted call to call its `TIMCommCallback` once.
#[derive(Debug)]
pub(crate) struct Completion {
    callback: TIMCommCallback,
    user_data: UserData,
    done: bool,
}

impl Completion {
    /// A completion for `callback`, or `None` when the app passed NULL
    /// (allowed where Tencent allows it, e.g. `TIMSetConfig`).
    pub(crate) fn new(callback: TIMCommCallback, user_data: *const c_void) -> Option<Completion> {
        callback.is_some().then_some(Completion {
            callback,
            user_data: UserData(user_data),
            done: false,
        })
    }

    /// Calls back with `code`, `desc` and `json` on the callback thread.
    pub(crate) fn finish(mut self, code: i32, desc: String, json: String) {
        self.done = true;
        let (callback, user_data) = (self.callback, self.user_data);
        let posted = post(move || {
            let (desc, json) = (c_text(desc), c_text(json));
            if let Some(f) = callback {
                // SAFETY: `f` is the app's callback with Tencent's
                // TIMCommCallback prototype; the strings live until it returns.
                unsafe { f(code, desc.as_ptr(), json.as_ptr(), user_data.get()) };
            }
        });
        if !posted {
            tracing::error!(code, "a completion could not be delivered");
        }
    }

    /// Calls back with success and `json`.
    pub(crate) fn ok(self, json: String) {
        self.finish(0, String::new(), json);
    }

    /// Calls back with the error's code and message.
    pub(crate) fn fail(self, error: &ImError) {
        self.finish(callback_code(error), error.message.clone(), String::new());
    }

    /// Calls back with the outcome of a call.
    pub(crate) fn result(self, outcome: Result<String, ImError>) {
        match outcome {
            Ok(json) => self.ok(json),
            Err(e) => self.fail(&e),
        }
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if !self.done {
            let rest = Completion {
                callback: self.callback,
                user_data: self.user_data,
                done: false,
            };
            rest.finish(
                ERR_SDK_INTERNAL_ERROR,
                "the call ended without a result (the SDK was shut down or failed)".into(),
                String::new(),
            );
        }
    }
}

/// The code a callback reports for `error`. The SDK's synchronous-style
/// codes (-1 .. -6) become their asynchronous counterparts, because a
/// callback's `code` is a `TIMErrCode` (spec 5.2), never a `TIMResult`.
pub(crate) fn callback_code(error: &ImError) -> i32 {
    match error.code {
        ErrorCode::SdkUninit => 6013,
        ErrorCode::NotLogin => 6014,
        ErrorCode::Json => 6027,
        ErrorCode::Param | ErrorCode::Group => 6017,
        ErrorCode::Conv => 6004,
        _ => error.code(),
    }
}
