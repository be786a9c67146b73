//! The SDK's log: every `tracing` event of the SDK, at or above the
//! levels `TIMSetConfig` sets, goes to the app's `TIMSetLogCallback` (on
//! the callback thread) and to `im-sdk.log` in the log folder `TIMInit`
//! was given (through a writer thread, so no SDK thread waits on a disk).
//!
//! The layer is installed as the process's `tracing` subscriber on the
//! first `TIMInit`, unless the host already installed one (a Rust host
//! embedding the library keeps its own).

use std::ffi::c_int;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, Once, PoisonError};
use std::thread::JoinHandle;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

use crate::abi::TIMLogLevel;
use crate::dispatch::{c_text, post};
use crate::registry::registry;

/// Lines the file writer may have queued before new ones are dropped.
const FILE_QUEUE: usize = 4096;

/// The least level sent to the log callback (`set_config_callback_log_level`).
static CALLBACK_LEVEL: AtomicI32 = AtomicI32::new(TIMLogLevel::kTIMLog_Info as i32);
/// The least level written to the file (`set_config_log_level`).
static FILE_LEVEL: AtomicI32 = AtomicI32::new(TIMLogLevel::kTIMLog_Info as i32);

/// Whether log lines go to the app's callback: only between `TIMInit` and
/// `TIMUninit`, so that no callback runs after `TIMUninit` returns.
static TO_CALLBACK: AtomicBool = AtomicBool::new(false);

/// Starts (`TIMInit`) or stops (`TIMUninit`) sending log lines to the
/// app's log callback.
pub(crate) fn send_to_callback(on: bool) {
    TO_CALLBACK.store(on, Ordering::SeqCst);
}

struct FileWriter {
    lines: SyncSender<String>,
    thread: JoinHandle<()>,
}

static FILE: Mutex<Option<FileWriter>> = Mutex::new(None);

/// Tencent's level of a `tracing` level.
fn tim_level(level: &Level) -> TIMLogLevel {
    match *level {
        Level::ERROR => TIMLogLevel::kTIMLog_Error,
        Level::WARN => TIMLogLevel::kTIMLog_Warn,
        Level::INFO => TIMLogLevel::kTIMLog_Info,
        Level::DEBUG => TIMLogLevel::kTIMLog_Debug,
        Level::TRACE => TIMLogLevel::kTIMLog_Verbose,
    }
}

/// Whether `level` passes a threshold (`kTIMLog_Off` passes nothing).
fn passes(level: TIMLogLevel, threshold: i32) -> bool {
    threshold != TIMLogLevel::kTIMLog_Off as i32 && level as i32 >= threshold
}

/// Sets the callback and file thresholds (`TIMSetConfig`); `None` keeps one.
pub(crate) fn set_levels(file: Option<i32>, callback: Option<i32>) {
    if let Some(level) = file {
        FILE_LEVEL.store(level, Ordering::SeqCst);
    }
    if let Some(level) = callback {
        CALLBACK_LEVEL.store(level, Ordering::SeqCst);
    }
}

/// The current `(file, callback)` thresholds.
pub(crate) fn levels() -> (i32, i32) {
    (
        FILE_LEVEL.load(Ordering::SeqCst),
        CALLBACK_LEVEL.load(Ordering::SeqCst),
    )
}

/// Installs the layer as the global subscriber, once, if none is set.
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if tracing::dispatcher::has_been_set() {
            return;
        }
        let subscriber = tracing_subscriber::registry().with(TimLog);
        // Another thread may have won the race: then its subscriber stays.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// Starts writing to `<dir>/im-sdk.log` (appending).
pub(crate) fn open_file(dir: &Path) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("im-sdk.log"))?;
    let (lines, receiver) = sync_channel::<String>(FILE_QUEUE);
    let thread = std::thread::Builder::new()
        .name("im-sdk-log".into())
        .spawn(move || {
            while let Ok(line) = receiver.recv() {
                if file.write_all(line.as_bytes()).is_err() {
                    break;
                }
            }
            let _ = file.flush();
        })?;
    let old = FILE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .replace(FileWriter { lines, thread });
    if let Some(old) = old {
        close(old);
    }
    Ok(())
}

/// Stops the file writer after it wrote what it was given.
pub(crate) fn close_file() {
    let writer = FILE.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(writer) = writer {
        close(writer);
    }
}

fn close(writer: FileWriter) {
    drop(writer.lines);
    let _ = writer.thread.join();
}

/// The layer: formats an event once and hands it to the sinks that want it.
struct TimLog;

impl<S: Subscriber> Layer<S> for TimLog {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let level = tim_level(meta.level());
        let to_callback = TO_CALLBACK.load(Ordering::Relaxed)
            && passes(level, CALLBACK_LEVEL.load(Ordering::Relaxed));
        let to_file = passes(level, FILE_LEVEL.load(Ordering::Relaxed));
        if !to_callback && !to_file {
            return;
        }
        let mut line = Line(String::new());
        event.record(&mut line);
        let text = format!("[{}] {}:{}", meta.level(), meta.target(), line.0);
        if to_file {
            let guard = FILE.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(writer) = guard.as_ref() {
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0);
                // A full queue drops the line rather than stall an SDK thread.
                if let Err(TrySendError::Full(_)) =
                    writer.lines.try_send(format!("{stamp} {text}\n"))
                {
                    // Nothing to report to: this is the log.
                }
            }
        }
        if to_callback && registry().log.is_some() {
            post(move || {
                let slot = registry().log;
                if let Some((f, user_data)) = slot {
                    let text = c_text(text);
                    // SAFETY: the app's TIMLogCallback; `text` outlives the call.
                    unsafe { f(level as c_int, text.as_ptr(), user_data.get()) };
                }
            });
        }
    }
}

/// Collects an event's fields as ` message key=value ...`.
struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}
