//! The sync loop: exactly one per session, pulling server events after
//! the saved cursor and applying them (`MessageService::sync_events`: an
//! event that cannot be applied is logged and passed; the cursor is saved
//! with each event's effects, so it never moves backwards and a crash
//! replays nothing twice).
//!
//! It pulls at the configured interval; after a failure it waits a backoff
//! with full jitter and reports the network state. When the server ends
//! the session (kicked off by another device, UserSig expired), the
//! session's work stops and the app gets the event. A transport with a
//! push channel (`Transport::pushed`) ends the wait as soon as the server
//! has something, so delivery has no polling delay.

use std::sync::Arc;

use im_model::ErrorCode;

use crate::client::Session;
use crate::events::{NetworkStatus, SdkEvent};

/// Runs until the session is cancelled.
pub(crate) async fn run(session: Arc<Session>) {
    let mut failures: u32 = 0;
    let mut caught_up = false;
    session.dispatcher.send(SdkEvent::SyncStarted);
    loop {
        // Progress is for the first sync: later pulls are a few events.
        let reporter = (!caught_up).then(|| session.dispatcher.clone());
        let pulled = session
            .engine
            .run(session.services.clone(), move |s| async move {
                let report = move |p: im_msg::SyncProgress| {
                    if let Some(dispatcher) = &reporter
                        && p.total > 0
                    {
                        dispatcher.send(SdkEvent::SyncProgress {
                            done: p.done,
                            total: p.total,
                        });
                    }
                };
                let applied = s.msgs.sync_events_reporting(&report).await?;
                Ok((applied, s.msgs.event_cursor()))
            })
            .await;
        let wait = match pulled {
            Ok((applied, cursor)) => {
                if applied > 0 {
                    tracing::debug!(applied, "applied server events");
                }
                session.applied.send_replace(cursor);
                failures = 0;
                session.set_network(NetworkStatus::Connected);
                if !caught_up {
                    caught_up = true;
                    session.dispatcher.send(SdkEvent::SyncFinished);
                }
                look_up_names(&session).await;
                session.config.sync_interval
            }
            Err(e) if e.code == ErrorCode::SdkUninit => return,
            Err(e) if e.code.ends_session() => {
                session.end_by_server(e.code);
                return;
            }
            Err(e) => {
                if e.code.is_transient() {
                    session.set_network(NetworkStatus::Disconnected);
                } else {
                    tracing::warn!(code = e.code(), error = %e, "sync failed");
                }
                let delay = session.config.retry.delay(failures, fastrand::f64());
                failures = failures.saturating_add(1);
                delay.max(std::time::Duration::from_millis(10))
            }
        };
        let transport = session.services.transport.clone();
        tokio::select! {
            () = crate::runtime::sleep(wait) => {}
            () = session.wake.notified() => {}
            // The server pushed events: pull now (after a failure, the
            // backoff still applies).
            () = transport.pushed(), if failures == 0 => {}
            () = session.cancel.cancelled() => return,
        }
    }
}

/// Names for what the pass brought without them: the profiles of new C2C
/// peers and the information of new groups, one lookup each, after the
/// pass's cursor and events are out (a slow lookup delays nothing a caller
/// waits for). A failure leaves them noted for the next pass.
async fn look_up_names(session: &Arc<Session>) {
    let looked_up = session
        .engine
        .run(session.services.clone(), |s| async move {
            if let Err(e) = s.msgs.look_up_unknown_profiles().await {
                tracing::debug!(error = %e, "looking up new peers' profiles failed");
            }
            if let Err(e) = s.msgs.look_up_unknown_groups().await {
                tracing::debug!(error = %e, "looking up new groups' information failed");
            }
            Ok(())
        })
        .await;
    if let Err(e) = looked_up {
        tracing::debug!(error = %e, "the name lookups did not run");
    }
}
