//! The SDK's logs in the browser's console: the engine's `tracing` events
//! at or above the level the page chose with `setLogLevel` (Tencent's
//! levels: 0 everything, 1 information, 2 warnings, 3 errors, 4 nothing;
//! warnings by default).

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicU8, Ordering};

use tracing::Level;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, filter};

/// Tencent's log level in force.
static LEVEL: AtomicU8 = AtomicU8::new(2);

/// Sets Tencent's log level (`setLogLevel`); other values are taken as
/// the nearest one.
pub(crate) fn set_level(level: u8) {
    LEVEL.store(level.min(4), Ordering::Relaxed);
}

fn shown(level: &Level) -> bool {
    match LEVEL.load(Ordering::Relaxed) {
        0 => true,
        1 => *level <= Level::INFO,
        2 => *level <= Level::WARN,
        3 => *level == Level::ERROR,
        _ => false,
    }
}

/// Sends the engine's logs to the console (once per worker).
pub(crate) fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let layer = tracing_subscriber::fmt::layer()
            .without_time()
            .with_ansi(false)
            .with_writer(|| Line(Vec::new()))
            .with_filter(filter::filter_fn(|meta| shown(meta.level())));
        if tracing_subscriber::registry()
            .with(layer)
            .try_init()
            .is_err()
        {
            // Another subscriber came first: its choice stands.
        }
    });
}

/// One log line, written to the console when it is complete.
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let text = text.trim_end();
        if !text.is_empty() {
            web_sys::console::log_1(&text.into());
        }
    }
}
