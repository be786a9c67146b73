//! Ordered event delivery, shared by the logic crates.
//!
//! Events are queued by the write path while it holds its writer lock (so
//! queue order is commit order) and delivered after the lock is released,
//! so a listener may call back into the SDK. Events raised by such a nested
//! call are queued and delivered after the current ones, never interleaved
//! and never on two threads at once.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// Receives the events of an [`EventQueue`].
pub trait Listener<E>: Send + Sync {
    /// Called once per event, in commit order, with no SDK lock held.
    fn on_event(&self, event: &E);
}

/// Ordered, re-entrancy-safe event delivery to registered listeners.
pub struct EventQueue<E> {
    listeners: RwLock<Vec<Arc<dyn Listener<E>>>>,
    pending: Mutex<Pending<E>>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            listeners: RwLock::new(Vec::new()),
            pending: Mutex::new(Pending {
                events: VecDeque::new(),
                dispatching: false,
            }),
        }
    }
}

struct Pending<E> {
    events: VecDeque<E>,
    dispatching: bool,
}

impl<E> Debug for EventQueue<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventQueue").finish_non_exhaustive()
    }
}

/// Clears the "dispatching" flag when a listener panics, so a faulty
/// listener cannot stop delivery for good. On a normal exit the flag is
/// cleared under the same lock that saw the queue empty (see `dispatch`),
/// and the guard is disarmed.
struct PanicGuard<'a, E> {
    pending: &'a Mutex<Pending<E>>,
    armed: bool,
}

impl<E> Drop for PanicGuard<'_, E> {
    fn drop(&mut self) {
        if self.armed {
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .dispatching = false;
        }
    }
}

impl<E> EventQueue<E> {
    /// Registers a listener.
    pub fn add_listener(&self, listener: Arc<dyn Listener<E>>) {
        self.listeners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(listener);
    }

    /// Removes a listener (compared by pointer).
    pub fn remove_listener(&self, listener: &Arc<dyn Listener<E>>) {
        self.listeners
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|l| !Arc::ptr_eq(l, listener));
    }

    /// Queues events; call it under the writer lock so queue order is commit order.
    pub fn enqueue(&self, events: Vec<E>) {
        if events.is_empty() {
            return;
        }
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .events
            .extend(events);
    }

    /// Delivers queued events unless another call on the stack (or another
    /// thread) is already delivering; that one will deliver them in order.
    pub fn dispatch(&self) {
        {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if pending.dispatching || pending.events.is_empty() {
                return;
            }
            pending.dispatching = true;
        }
        let mut guard = PanicGuard {
            pending: &self.pending,
            armed: true,
        };
        loop {
            let batch: Vec<E> = {
                let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                if pending.events.is_empty() {
                    // Cleared under the lock that saw the queue empty: an
                    // enqueue after this point finds no dispatcher and
                    // dispatches itself.
                    pending.dispatching = false;
                    guard.armed = false;
                    return;
                }
                pending.events.drain(..).collect()
            };
            let listeners = self
                .listeners
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            for event in &batch {
                for listener in &listeners {
                    listener.on_event(event);
                }
            }
        }
    }
}
