//! The push stream's client side that every HTTP backend shares: the
//! buffer of pushed events that `pull_events` answers from, the framing
//! (one JSON [`PushFrame`] per line), and the reconnect loop. A backend
//! (hyper natively, `fetch` in a browser) only opens the connection and
//! hands over its chunks.
//!
//! The buffer holds a contiguous run of the user's event stream, from
//! `base` (a cursor) to `end`: each frame names the cursor it follows, and
//! a frame that does not follow `end` ends the connection (it reconnects).
//! A pull from a cursor inside `[base, end]` is answered from the buffer;
//! any other pull goes to the server. The buffer is bounded: past
//! [`MAX_BUFFERED`] events it is dropped and pulls go to the server until
//! the stream reconnects.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use im_model::wire::http::PushFrame;
use im_model::wire::{EventBatch, EventPage, SequencedEvent};
use im_model::{ErrorCode, ImError, ImResult};
use tokio::sync::Notify;

/// The most events buffered.
const MAX_BUFFERED: usize = 10_000;
/// The longest frame line accepted.
const MAX_LINE: usize = 16 * 1024 * 1024;
/// Silence after which the connection counts as dead (the server beats
/// every 10 s).
pub(crate) const SILENCE: Duration = Duration::from_secs(35);

/// A network failure: transient.
pub(crate) fn net(what: impl std::fmt::Display) -> ImError {
    ImError::new(ErrorCode::NetDisconnect, format!("network: {what}"))
}

#[derive(Debug, Default)]
struct Buffer {
    /// The stream is connected and the buffer is contiguous.
    live: bool,
    /// The buffer reaches the server's head as of the last frame (nothing
    /// more is waiting on the server).
    synced: bool,
    base: u64,
    end: u64,
    /// The server's head as of the last frame.
    head: u64,
    events: VecDeque<SequencedEvent>,
    /// The highest cursor this session's pulls started from or reached:
    /// where the stream starts and resumes. Unknown until the session's
    /// first pull (a cursor of an earlier session, possibly another user's,
    /// would start the stream in the wrong place).
    resume: Option<u64>,
    /// The session ended on the server (kicked off, UserSig expired).
    ended: Option<i32>,
    /// Bumped by `stop` so an old task exits.
    generation: u64,
}

/// The push state of one transport.
#[derive(Debug, Default)]
pub(crate) struct Push {
    buffer: Mutex<Buffer>,
    notify: Notify,
    /// Signals the stream task that `resume` became known (or that it
    /// should exit).
    learned: Notify,
}

impl Push {
    fn buffer(&self) -> std::sync::MutexGuard<'_, Buffer> {
        self.buffer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn connected(&self) -> bool {
        self.buffer().live
    }

    /// Waits for pushed events (or the session's end).
    pub(crate) async fn pushed(&self) {
        self.notify.notified().await;
    }

    /// A pull started from or reached `cursor`.
    pub(crate) fn pulled_to(&self, cursor: u64) {
        Self::note_pull(&mut self.buffer(), cursor);
        self.learned.notify_one();
    }

    fn note_pull(buffer: &mut Buffer, cursor: u64) {
        buffer.resume = Some(buffer.resume.map_or(cursor, |r| r.max(cursor)));
    }

    /// Answers a pull from the buffer when it covers `cursor`.
    pub(crate) fn take(&self, cursor: u64, limit: u32) -> Option<ImResult<EventPage>> {
        let mut buffer = self.buffer();
        if let Some(code) = buffer.ended {
            return Some(Err(ImError::new(
                ErrorCode::from_code(code),
                "the server ended this session",
            )));
        }
        let first = buffer.resume.is_none();
        Self::note_pull(&mut buffer, cursor);
        if first {
            self.learned.notify_one();
        }
        if !buffer.live || cursor < buffer.base || cursor > buffer.end {
            return None;
        }
        if cursor == buffer.end && !buffer.synced {
            // The server may have more than the stream delivered yet.
            return None;
        }
        while buffer.events.front().is_some_and(|e| e.cursor <= cursor) {
            buffer.events.pop_front();
        }
        buffer.base = cursor;
        let n = (limit.max(1) as usize).min(buffer.events.len());
        let events: Vec<SequencedEvent> = buffer.events.iter().take(n).cloned().collect();
        let has_more = n < buffer.events.len() || !buffer.synced;
        let next_cursor = if n < buffer.events.len() {
            events.last().map_or(cursor, |e| e.cursor)
        } else {
            buffer.end
        };
        Some(Ok(EventPage::Events(EventBatch {
            events,
            next_cursor,
            has_more,
            head: buffer.head.max(next_cursor),
        })))
    }

    /// Stops the stream task (logout).
    pub(crate) fn stop(&self) {
        let mut buffer = self.buffer();
        buffer.generation += 1;
        buffer.live = false;
        buffer.events.clear();
        drop(buffer);
        // A task waiting to learn its cursor wakes and exits.
        self.learned.notify_one();
    }

    /// A new session starts: the buffer is reset, and the returned
    /// generation tells the new stream task from an older one.
    pub(crate) fn begin(&self) -> u64 {
        let mut buffer = self.buffer();
        buffer.generation += 1;
        buffer.ended = None;
        buffer.live = false;
        buffer.resume = None;
        buffer.events.clear();
        buffer.generation
    }

    /// The server refused the stream because the session ended.
    pub(crate) fn end(&self, code: i32) {
        self.buffer().ended = Some(code);
        self.notify.notify_one();
    }

    /// The stream is connected.
    pub(crate) fn mark_live(&self) {
        self.buffer().live = true;
    }
}

/// Connects with `connect(from)` (which returns whether any frame
/// arrived), and reconnects with exponential backoff and full jitter
/// (`sleep` waits), until the session ends or a newer session replaces this
/// task.
pub(crate) async fn run<C, CF, S, SF>(
    push: &Push,
    generation: u64,
    (reconnect_min, reconnect_max): (Duration, Duration),
    connect: C,
    sleep: S,
) where
    C: Fn(u64) -> CF,
    CF: Future<Output = ImResult<bool>>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    let mut failures: u32 = 0;
    loop {
        let from = loop {
            {
                let mut buffer = push.buffer();
                if buffer.generation != generation || buffer.ended.is_some() {
                    return;
                }
                if let Some(from) = buffer.resume {
                    buffer.live = false;
                    buffer.synced = false;
                    buffer.events.clear();
                    buffer.base = from;
                    buffer.end = from;
                    break from;
                }
            }
            // The session's first pull says where the client stands.
            push.learned.notified().await;
        };
        match connect(from).await {
            Ok(progressed) if progressed => failures = 0,
            Ok(_) => failures = failures.saturating_add(1),
            Err(e) => {
                tracing::debug!(error = %e, "push stream dropped");
                failures = failures.saturating_add(1);
            }
        }
        push.buffer().live = false;
        // Wake the sync loop: it pulls over HTTP while the stream is down.
        push.notify.notify_one();
        let ceiling = reconnect_min
            .saturating_mul(1u32 << failures.min(16))
            .min(reconnect_max);
        let delay = ceiling
            .mul_f64(fastrand::f64())
            .max(Duration::from_millis(10));
        sleep(delay).await;
    }
}

/// Cuts a connection's chunks into frame lines and applies them.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    pending: Vec<u8>,
    /// Whether any frame arrived on this connection.
    pub(crate) progressed: bool,
}

impl Lines {
    /// Takes one chunk; `Ok(false)` when the stream should close.
    ///
    /// # Errors
    /// A transient network error for a line over 16 MiB, or a frame that
    /// leaves a gap in the stream.
    pub(crate) fn feed(&mut self, push: &Push, generation: u64, data: &[u8]) -> ImResult<bool> {
        self.pending.extend_from_slice(data);
        if self.pending.len() > MAX_LINE {
            return Err(net("a push frame is too long"));
        }
        while let Some(newline) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=newline).collect();
            let line = &line[..newline];
            if line.is_empty() {
                continue;
            }
            self.progressed = true;
            let frame: PushFrame = match serde_json::from_slice(line) {
                Ok(frame) => frame,
                Err(e) => {
                    // Untrusted input: a frame we cannot read is skipped;
                    // the gap check in `apply` catches anything it carried.
                    tracing::warn!(error = %e, "skipped an unreadable push frame");
                    continue;
                }
            };
            if !apply(push, generation, frame)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Applies a frame to the buffer; false when the stream should close.
fn apply(push: &Push, generation: u64, frame: PushFrame) -> ImResult<bool> {
    let mut buffer = push.buffer();
    if buffer.generation != generation {
        return Ok(false);
    }
    match frame {
        PushFrame::Events {
            after,
            events,
            next_cursor,
            head,
        } => {
            if after != buffer.end || next_cursor < after {
                buffer.live = false;
                drop(buffer);
                push.notify.notify_one();
                return Err(net("the push stream has a gap; reconnecting"));
            }
            buffer.events.extend(
                events
                    .into_iter()
                    .filter(|e| e.cursor > after && e.cursor <= next_cursor),
            );
            buffer.end = next_cursor;
            buffer.synced = next_cursor >= head;
            buffer.head = head;
            let overflow = buffer.events.len() > MAX_BUFFERED;
            if overflow {
                buffer.live = false;
                buffer.events.clear();
            }
            drop(buffer);
            push.notify.notify_one();
            Ok(!overflow)
        }
        PushFrame::Heartbeat { .. } => Ok(true),
        PushFrame::CursorTooOld => {
            // The sync loop's pull hears the same over HTTP and resyncs.
            buffer.live = false;
            drop(buffer);
            push.notify.notify_one();
            Ok(false)
        }
        PushFrame::Ended { code } => {
            buffer.ended = Some(code);
            buffer.live = false;
            drop(buffer);
            push.notify.notify_one();
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_model::ConvId;
    use im_model::wire::ServerEvent;

    fn event(cursor: u64) -> SequencedEvent {
        SequencedEvent {
            cursor,
            event: ServerEvent::PeerRead {
                conv: ConvId::c2c("peer").unwrap(),
                read_time: cursor,
            },
        }
    }

    fn frame(after: u64, cursors: &[u64], next_cursor: u64, head: u64) -> PushFrame {
        PushFrame::Events {
            after,
            events: cursors.iter().map(|c| event(*c)).collect(),
            next_cursor,
            head,
        }
    }

    fn page(push: &Push, cursor: u64) -> Option<(Vec<u64>, u64, bool)> {
        match push.take(cursor, 100)? {
            Ok(EventPage::Events(b)) => Some((
                b.events.iter().map(|e| e.cursor).collect(),
                b.next_cursor,
                b.has_more,
            )),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// A connected stream that started at `from` (what `run` sets up).
    fn connected(from: u64) -> Push {
        let push = Push::default();
        {
            let mut b = push.buffer();
            b.resume = Some(from);
            b.base = from;
            b.end = from;
            b.live = true;
        }
        push
    }

    #[test]
    fn test_pulls_go_to_the_server_until_the_stream_has_caught_up() {
        let push = connected(0);
        assert_eq!(page(&push, 0), None, "nothing pushed yet: ask the server");
        apply(&push, 0, frame(0, &[1, 2], 2, 5)).unwrap();
        assert_eq!(
            page(&push, 0),
            Some((vec![1, 2], 2, true)),
            "more waits on the server"
        );
        assert_eq!(
            page(&push, 2),
            None,
            "past what was pushed, not caught up: ask the server"
        );
        apply(&push, 0, frame(2, &[3, 5], 5, 5)).unwrap();
        assert_eq!(page(&push, 2), Some((vec![3, 5], 5, false)));
        assert_eq!(
            page(&push, 5),
            Some((vec![], 5, false)),
            "caught up: nothing more, no request"
        );
        assert_eq!(
            page(&push, 1),
            None,
            "a cursor before what is kept: ask the server"
        );
    }

    #[test]
    fn test_a_frame_that_does_not_follow_the_buffer_breaks_the_stream() {
        let push = connected(0);
        apply(&push, 0, frame(0, &[1], 1, 1)).unwrap();
        let gap = apply(&push, 0, frame(3, &[4], 4, 4)).unwrap_err();
        assert_eq!(gap.code, ErrorCode::NetDisconnect);
        assert_eq!(page(&push, 1), None, "a broken stream answers nothing");
    }

    #[test]
    fn test_an_ended_session_answers_its_code_and_a_stale_task_is_ignored() {
        let push = connected(0);
        assert!(
            !apply(&push, 7, frame(0, &[1], 1, 1)).unwrap(),
            "another session's task stops"
        );
        assert_eq!(page(&push, 0), None);
        assert!(!apply(&push, 0, PushFrame::Ended { code: 6208 }).unwrap());
        let ended = push.take(0, 10).unwrap().unwrap_err();
        assert_eq!(ended.code, ErrorCode::KickedOffByOther);
    }
}
