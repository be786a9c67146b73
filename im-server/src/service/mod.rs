//! The server's rules: who may do what, with which limits, and what each
//! call writes. The HTTP layer decodes a request, calls one method here,
//! and encodes the answer; the store keeps the facts atomically.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use im_model::enums::{GroupMemberRole, GroupReportType, GroupTipType, GroupType};
use im_model::group::{self, GetGroupInfoResult, GroupDetailInfo, GroupModifyInfoParam};
use im_model::group_member;
use im_model::limits::{
    DEFAULT_REVOKE_WINDOW_SECS, MAX_MERGED_MESSAGES, MAX_MESSAGE_BODY_BYTES,
    MAX_MESSAGES_PER_LIST_DELETE, MAX_USERS_PER_C2C_RECEIVE_OPT,
};
use im_model::message::{GroupReportElem, GroupTipsElem, Message, MessageReceipt, UserProfile};
use im_model::profile::{self, UserProfileItem};
use im_model::wire::http::{CreateGroupRequest, LoginAnswer, LoginBody};
use im_model::wire::{
    AllReceiveOption, BatchSendOutcome, BatchSendRequest, ConvStateChange, ConvSummary,
    ConversationSnapshot, DeleteRequest, EventBatch, EventPage, HistoryRequest, ModifyOutcome,
    PullRequest, ReadReport, ReceiptRequest, ReceiveOption, ReceiveOptionRequest,
    ReceiveOptionTarget, RevokeRequest, SendAck, SendRequest, ServerEvent,
};
use im_model::{
    Clock, ConvId, ConvType, Elem, ErrorCode, GroupAtInfo, ImError, ImResult, ReceiveMessageOpt,
};

use crate::codes::{self, denied, server};
use crate::config::Retention;
use crate::fanout::{Fanout, LocalFanout};
use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::store::{
    BookChange, ConvKey, HistoryQuery, JoinedGroup, Membership, NewMessage, Notified, ServerStore,
    SessionRow, SessionState, Standing,
};
use crate::usersig::{SigError, SigKey};

mod members;

/// Most events answered by one pull.
pub const MAX_PULL: u32 = 1000;
/// Most members in one group call.
const MAX_MEMBERS_PER_CALL: usize = 500;
/// The longest user id (Tencent's UserID limit).
const MAX_USER_ID_BYTES: usize = 32;
/// The longest group id (Tencent's group id limit).
const MAX_GROUP_ID_BYTES: usize = 48;
/// Failed UserSig checks of one identity from one address before it is
/// refused (70050) for the rest of the window (reliability plan row D6).
const LOGIN_FAILURES: u32 = 20;
/// The window of [`LOGIN_FAILURES`].
const LOGIN_FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Members one write of a queued fan-out reaches.
const FAN_OUT_USERS_PER_WRITE: u32 = 1000;
/// The setting key of the account-wide receive option.
const ALL_RECEIVE_OPTION: &str = "all_receive_option";

/// A caller whose session checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user.
    pub user: String,
    /// The session token.
    pub token: String,
    /// When the session's UserSig expires (Unix seconds).
    pub expires_at: i64,
}

/// The server's logic over a store.
#[derive(Debug)]
pub struct Service {
    store: Arc<dyn ServerStore>,
    key: SigKey,
    clock: Arc<dyn Clock>,
    /// This node's push-stream signals and session cache.
    hub: Arc<Hub>,
    /// Where committed changes go: this node's hub, and other nodes'.
    fanout: Arc<dyn Fanout>,
    /// This node's metrics.
    metrics: Arc<Metrics>,
    /// Draining before a stop: not ready for new clients.
    draining: std::sync::atomic::AtomicBool,
    /// Woken when a send may have queued a large group's fan-out.
    fan_out_waiting: tokio::sync::Notify,
    /// The custom profile fields users may set (full keys).
    profile_custom_fields: Arc<Vec<String>>,
}

/// How many copies of a batch send are stored at once: enough for the
/// SQLite writer to commit them in groups, few enough to leave most of a
/// PostgreSQL pool (16 connections by default) to other requests.
const BATCH_SEND_PARALLEL: usize = 8;

/// A valid id: 1 to `max` bytes of printable ASCII (0x20-0x7e).
fn valid_id(id: &str, max: usize) -> bool {
    !id.is_empty() && id.len() <= max && id.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fn check_user_id(id: &str) -> ImResult<()> {
    if valid_id(id, MAX_USER_ID_BYTES) {
        Ok(())
    } else {
        Err(server(
            codes::INVALID_USER_ID,
            format!("invalid user id {id:?}"),
        ))
    }
}

fn random_token() -> ImResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| codes::internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Service {
    /// A service over `store`, checking UserSigs with `key`.
    pub fn new(store: Arc<dyn ServerStore>, key: SigKey, clock: Arc<dyn Clock>) -> Service {
        let hub = Arc::new(Hub::default());
        Service {
            store,
            key,
            clock,
            fanout: Arc::new(LocalFanout::new(hub.clone())),
            hub,
            metrics: Arc::new(Metrics::new()),
            draining: std::sync::atomic::AtomicBool::new(false),
            fan_out_waiting: tokio::sync::Notify::new(),
            profile_custom_fields: Arc::new(Vec::new()),
        }
    }

    /// Declares the custom profile fields users may set (full keys, as
    /// `config::profile_custom_keys` gives them).
    #[must_use]
    pub fn with_profile_custom_fields(mut self, keys: Vec<String>) -> Service {
        self.profile_custom_fields = Arc::new(keys);
        self
    }

    /// Runs on this node's `hub`, delivering committed changes through
    /// `fanout` (which feeds that hub, and other nodes' on a cluster).
    #[must_use]
    pub fn with_node(mut self, hub: Arc<Hub>, fanout: Arc<dyn Fanout>) -> Service {
        self.hub = hub;
        self.fanout = fanout;
        self
    }

    /// This node's push-stream signals.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Records into `metrics` (shared with the node's other parts).
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Service {
        self.metrics = metrics;
        self
    }

    /// This node's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    fn now(&self) -> u64 {
        self.clock.now_secs()
    }

    /// The server's time (Unix seconds).
    pub fn server_time(&self) -> u64 {
        self.now()
    }

    /// The store (for the push stream's reads).
    pub fn store(&self) -> &Arc<dyn ServerStore> {
        &self.store
    }

    fn notify(&self, notified: &Notified) {
        self.fanout.heads_grew(notified);
    }

    /// Checks the UserSig and starts a session; an older session of the
    /// same user on the same platform ends (kicked offline).
    ///
    /// # Errors
    /// 700xx for a bad UserSig (70050 while throttled), 20003 for a bad id.
    #[tracing::instrument(level = "info", skip_all, fields(user = %body.user_id, platform = body.platform))]
    pub async fn login(&self, body: LoginBody, ip: IpAddr) -> ImResult<LoginAnswer> {
        check_user_id(&body.user_id)?;
        // Keyed by the pair, so an attacker elsewhere cannot lock a valid
        // user out; shared by the nodes of a cluster.
        let attempts = format!("login:{ip}:{}", body.user_id);
        if self
            .store
            .allowance_used_up(&attempts, LOGIN_FAILURES, LOGIN_FAILURE_WINDOW)
            .await?
        {
            return Err(sig_error(&SigError::Throttled));
        }
        let secs = i64::try_from(self.now()).unwrap_or(i64::MAX);
        let ticket = match self.key.verify(&body.user_id, &body.user_sig, secs) {
            Ok(ticket) => ticket,
            Err(e) => {
                tracing::info!(code = e.code(), "login refused: {e}");
                self.store
                    .take_allowance(&attempts, LOGIN_FAILURES, LOGIN_FAILURE_WINDOW)
                    .await?;
                return Err(sig_error(&e));
            }
        };
        let token = random_token()?;
        let kicked = self
            .store
            .open_session(
                &token,
                &SessionRow {
                    user: body.user_id.clone(),
                    platform: body.platform,
                    expires_at: ticket.expires_at,
                    state: SessionState::Active,
                },
            )
            .await?;
        if !kicked.is_empty() {
            tracing::info!(sessions = kicked.len(), "a new login kicked older sessions");
            self.fanout
                .sessions_ended(&kicked, ErrorCode::KickedOffByOther.code());
        }
        Ok(LoginAnswer {
            token,
            server_time: self.now(),
        })
    }

    /// The caller of a bearer token: from this node's session cache when
    /// it knows the session to be active, from the store otherwise.
    ///
    /// # Errors
    /// 6014 (unknown or logged out), 6208 (kicked off), 6206 (UserSig expired).
    pub async fn authenticate(&self, token: &str) -> ImResult<Caller> {
        let cache = &self.hub.sessions;
        let session = match cache.get(token, Instant::now()) {
            Some(session) => session,
            None => {
                let ticket = cache.ticket();
                let session = self
                    .store
                    .session(token)
                    .await?
                    .ok_or_else(codes::not_logged_in)?;
                cache.put(token, &session, ticket, Instant::now());
                session
            }
        };
        self.check_session(token, session)
    }

    /// [`Service::authenticate`] from the store, never the cache: what a
    /// push stream checks on each heartbeat, so that a session ended on
    /// another node whose notification was lost still ends its stream.
    ///
    /// # Errors
    /// As [`Service::authenticate`].
    pub async fn authenticate_from_store(&self, token: &str) -> ImResult<Caller> {
        let session = self
            .store
            .session(token)
            .await?
            .ok_or_else(codes::not_logged_in)?;
        self.check_session(token, session)
    }

    fn check_session(&self, token: &str, session: SessionRow) -> ImResult<Caller> {
        match session.state {
            SessionState::Active => {}
            SessionState::Kicked => {
                return Err(ImError::new(
                    ErrorCode::KickedOffByOther,
                    "this user logged in on another device of the same platform",
                ));
            }
            SessionState::Closed => return Err(codes::not_logged_in()),
        }
        if i64::try_from(self.now()).unwrap_or(i64::MAX) > session.expires_at {
            return Err(ImError::new(
                ErrorCode::UserSigExpired,
                "the UserSig of this session expired; log in with a new one",
            ));
        }
        Ok(Caller {
            user: session.user,
            token: token.to_owned(),
            expires_at: session.expires_at,
        })
    }

    /// Ends the caller's session.
    pub async fn logout(&self, caller: &Caller) -> ImResult<()> {
        self.store.close_session(&caller.token).await?;
        self.fanout
            .sessions_ended(std::slice::from_ref(&caller.token), codes::NOT_LOGGED_IN);
        Ok(())
    }

    /// Whether this node can serve: its database answers, writes included,
    /// and it is not draining (`GET /healthz`: 200 when ready, 503 with
    /// 90994 when not).
    ///
    /// # Errors
    /// `INTERNAL` when the database does not answer or the node drains.
    pub async fn health(&self) -> ImResult<()> {
        if self.draining.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(codes::internal(
                "this node is draining; the load balancer should send no new clients",
            ));
        }
        self.store.ping().await
    }

    /// Fans out one bounded share of the queued messages of large groups
    /// (`ServerStore::fan_out_queued`) and wakes the streams concerned;
    /// false when nothing was queued.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn fan_out_queued(&self) -> ImResult<bool> {
        match self.store.fan_out_queued(FAN_OUT_USERS_PER_WRITE).await? {
            Some(notified) => {
                self.notify(&notified);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Resolves when a send may have queued a fan-out (or at once when one
    /// did since the last call).
    pub async fn fan_out_queued_waiting(&self) {
        self.fan_out_waiting.notified().await;
    }

    /// Starts draining: the health check answers 503 from now on (so a
    /// load balancer sends new clients elsewhere) while requests are
    /// still served.
    pub fn drain(&self) {
        self.draining
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// A user's standing in a group, `None` when not a member.
    ///
    /// # Errors
    /// 10010 when there is no such group.
    async fn standing(&self, user: &str, group: &str) -> ImResult<Option<Standing>> {
        match self.store.membership(group, user).await? {
            Membership::NoSuchGroup => Err(server(
                codes::GROUP_NOT_FOUND,
                format!("no group {group:?}"),
            )),
            Membership::NotMember => Ok(None),
            Membership::Member(standing) => Ok(Some(standing)),
        }
    }

    /// A user's role in a group, `None` when not a member.
    async fn role(&self, user: &str, group: &str) -> ImResult<Option<GroupMemberRole>> {
        Ok(self.standing(user, group).await?.map(|s| s.role))
    }

    /// The key of a conversation the caller may read and write: their own
    /// C2C conversations, and groups they are a member of now.
    async fn conv_key(&self, caller: &Caller, conv: &ConvId) -> ImResult<ConvKey> {
        Ok(self.conv_key_standing(caller, conv).await?.0)
    }

    /// [`Service::conv_key`], with the caller's standing in a group.
    async fn conv_key_standing(
        &self,
        caller: &Caller,
        conv: &ConvId,
    ) -> ImResult<(ConvKey, Option<Standing>)> {
        let standing = match conv.conv_type() {
            ConvType::C2C => {
                check_user_id(conv.peer())?;
                None
            }
            ConvType::Group => Some(
                self.standing(&caller.user, conv.peer())
                    .await?
                    .ok_or_else(|| denied(format!("not a member of group {:?}", conv.peer())))?,
            ),
            _ => {
                return Err(ImError::invalid_param(
                    "only C2C and group conversations exist",
                ));
            }
        };
        Ok((ConvKey::of(&caller.user, conv), standing))
    }

    /// Sends a message; a retry with the same message id gets the same ack.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %caller.user, conv = %request.conv))]
    pub async fn send(&self, caller: &Caller, request: SendRequest) -> ImResult<SendAck> {
        let (key, standing) = self.conv_key_standing(caller, &request.conv).await?;
        if let Some(s) = standing {
            group_member::may_send(s.group_muted, s.role, s.mute_until, self.now())?;
        }
        let msg_id = request
            .message
            .msg_id
            .clone()
            .filter(|id| !id.is_empty() && id.len() <= 128)
            .ok_or_else(|| ImError::invalid_param("message_msg_id (1 to 128 bytes) is required"))?;
        let mut message = request.message;
        let size = serde_json::to_vec(&message.elem_array).map_or(usize::MAX, |v| v.len())
            + message.cloud_custom_str.as_ref().map_or(0, String::len);
        if size > MAX_MESSAGE_BODY_BYTES {
            return Err(server(
                codes::BODY_SIZE_LIMIT,
                format!("the message body is {size} bytes, over 12 KB"),
            ));
        }
        if let Some(group) = key.group()
            && !self
                .store
                .take_allowance(&format!("group:{group}"), 40, Duration::from_secs(1))
                .await?
        {
            return Err(server(
                codes::GROUP_FREQ_LIMIT,
                "over 40 messages a second in this group",
            ));
        }
        self.store_merged_bodies(&key, &caller.user, &msg_id, &mut message)
            .await?;
        let started = Instant::now();
        let appended = self
            .store
            .append_message(NewMessage {
                conv: key,
                sender: caller.user.clone(),
                msg_id,
                now: self.now(),
                message,
                echo_to_sender: true,
            })
            .await?;
        if appended.fresh {
            self.metrics.message_stored(started.elapsed().as_secs_f64());
            if appended.notified.is_empty() {
                // A large group's message waits in the fan-out queue.
                self.fan_out_waiting.notify_one();
            }
        }
        self.notify(&appended.notified);
        Ok(appended.ack)
    }

    /// Keeps each merged element's messages as a body fetched by its key.
    async fn store_merged_bodies(
        &self,
        conv: &ConvKey,
        sender: &str,
        msg_id: &str,
        message: &mut Message,
    ) -> ImResult<()> {
        let Some(elems) = message.elem_array.as_mut() else {
            return Ok(());
        };
        for (i, elem) in elems.iter_mut().enumerate() {
            if let Elem::Merge(merge) = elem
                && let Some(inner) = merge.message_array.as_ref().filter(|m| !m.is_empty())
            {
                if inner.len() > MAX_MERGED_MESSAGES {
                    return Err(ImError::invalid_param(
                        "over 300 messages in a merged message",
                    ));
                }
                // Deterministic, so a retried send stores the same body.
                let key = format!("merged-{}-{sender}-{msg_id}-{i}", sender.len());
                self.store.put_merged(&key, conv, inner).await?;
                merge.relay_json_key = Some(key);
            }
        }
        Ok(())
    }

    /// Revokes a message: its sender within the window; in groups also the
    /// owner and admins.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %caller.user, conv = %request.conv))]
    pub async fn revoke(&self, caller: &Caller, request: RevokeRequest) -> ImResult<()> {
        let key = self.conv_key(caller, &request.conv).await?;
        let stored = self
            .store
            .message(&key, &request.msg_id)
            .await?
            .ok_or_else(|| ImError::invalid_param("no such message"))?;
        let is_admin = match key.group() {
            Some(group) => matches!(
                self.role(&caller.user, group).await?,
                Some(GroupMemberRole::Owner | GroupMemberRole::Admin)
            ),
            None => false,
        };
        if stored.sender != caller.user && !is_admin {
            return Err(denied(
                "only the sender, or a group's owner or admins, may revoke",
            ));
        }
        if self.now().saturating_sub(stored.time) > DEFAULT_REVOKE_WINDOW_SECS {
            let code = if key.group().is_some() {
                codes::GROUP_REVOKE_TIME_LIMIT
            } else {
                codes::MSG_REVOKE_TIME_LIMIT
            };
            return Err(server(
                code,
                "the message is older than the revoke window (2 minutes)",
            ));
        }
        let (revoked, notified) = self
            .store
            .revoke(&key, &request.msg_id, &caller.user, &request.reason)
            .await?;
        if !revoked {
            return Err(server(
                codes::ALREADY_REVOKED,
                "the message was revoked already",
            ));
        }
        self.notify(&notified);
        Ok(())
    }

    /// Records read positions (roamed to the caller's devices) and tells
    /// C2C peers.
    pub async fn report_read(&self, caller: &Caller, report: ReadReport) -> ImResult<()> {
        let mut peers = Vec::new();
        for item in &report.items {
            let key = self.conv_key(caller, &item.conv).await?;
            if key.group().is_none() && item.read_time > 0 {
                let peer = item.conv.peer().to_owned();
                if peer != caller.user {
                    peers.push((
                        peer,
                        ServerEvent::PeerRead {
                            conv: ConvId::c2c(caller.user.as_str())?,
                            read_time: item.read_time,
                        },
                    ));
                }
            }
        }
        let items = report.items;
        let change: BookChange = Box::new(move |book| {
            Ok(items
                .iter()
                .map(|item| {
                    let state = book.state(&item.conv);
                    state.read_time = state.read_time.max(item.read_time);
                    state.read_seq = state.read_seq.max(item.read_seq);
                    ServerEvent::ConversationState {
                        state: state.clone(),
                        conv: item.conv.clone(),
                    }
                })
                .collect())
        });
        let (_, notified) = self.store.update_book(&caller.user, change).await?;
        self.notify(&notified);
        if !peers.is_empty() {
            let notified = self.store.append_events(peers).await?;
            self.notify(&notified);
        }
        Ok(())
    }

    /// A page of roaming history.
    pub async fn history(
        &self,
        caller: &Caller,
        request: HistoryRequest,
    ) -> ImResult<Vec<Message>> {
        let key = self.conv_key(caller, &request.conv).await?;
        let stored = self
            .store
            .history(
                &caller.user,
                &key,
                HistoryQuery {
                    anchor: request.anchor,
                    newer: request.newer,
                    time_range: request.time_range,
                    count: request.count.min(im_model::limits::MAX_MESSAGE_PAGE),
                },
            )
            .await?;
        stored
            .iter()
            .map(|m| m.for_viewer(&caller.user).map(|(_, message)| message))
            .collect()
    }

    /// Events after a cursor (never waits: live events come by the push stream).
    pub async fn pull_events(&self, caller: &Caller, request: PullRequest) -> ImResult<EventPage> {
        let limit = request.limit.clamp(1, MAX_PULL);
        let page = self
            .store
            .events_after(&caller.user, request.cursor, limit)
            .await?;
        // Past the end (a cursor of another server, or of a log that was
        // reset), or before what the trimmed log still holds: the client
        // must start again from a snapshot.
        if request.cursor > page.head || request.cursor < page.floor {
            return Ok(EventPage::CursorTooOld);
        }
        let next_cursor = page.events.last().map_or(request.cursor, |e| e.cursor);
        Ok(EventPage::Events(EventBatch {
            has_more: next_cursor < page.head,
            events: page.events,
            next_cursor,
            head: page.head,
        }))
    }

    /// Changes the caller's roaming conversation state.
    pub async fn update_conversations(
        &self,
        caller: &Caller,
        change: ConvStateChange,
    ) -> ImResult<u64> {
        let (cursor, notified) = self
            .store
            .update_book(
                &caller.user,
                Box::new(move |book| book.apply(change.clone())),
            )
            .await?;
        self.notify(&notified);
        Ok(cursor)
    }

    /// What a device of the caller with no cursor starts from: groups,
    /// conversation states and summaries (last message, unread count,
    /// mentions), and the cursor they are consistent with.
    pub async fn snapshot(&self, caller: &Caller) -> ImResult<ConversationSnapshot> {
        let stored = self.store.snapshot(&caller.user).await?;
        let mut with_messages = Vec::with_capacity(stored.convs.len());
        let mut summaries = Vec::with_capacity(stored.convs.len());
        for row in stored.convs {
            let Ok(conv) = row.conv.for_viewer(&caller.user) else {
                continue;
            };
            with_messages.push(conv.clone());
            let last_message = match &row.last {
                Some(stored) => Some(stored.for_viewer(&caller.user)?.1),
                None => None,
            };
            summaries.push(ConvSummary {
                conv,
                last_message,
                unread: row.unread,
                mentions: row
                    .mentions
                    .into_iter()
                    .map(|(seq, at_type)| GroupAtInfo {
                        seq: Some(seq),
                        at_type: Some(at_type),
                        ..GroupAtInfo::default()
                    })
                    .collect(),
            });
        }
        let listing = stored.book.listing(with_messages);
        Ok(ConversationSnapshot {
            groups: stored.book.groups,
            conversations: listing.conversations,
            cursor: stored.head,
            summaries,
            receive_options: listing.receive_options,
            profiles: stored.profiles,
        })
    }

    /// Trims the event logs to the retention window and count; a client
    /// whose cursor falls before what is kept resyncs from a snapshot.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn trim_events(&self, retention: &Retention) -> ImResult<u64> {
        // Event times are the database's clock (wall time), not the
        // service's injected one: the window is measured on the same clock.
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let before = wall.saturating_sub(retention.window.as_secs());
        let mut removed = 0;
        loop {
            match self.store.trim_events(before, retention.max_events).await? {
                0 => return Ok(removed),
                n => removed += n,
            }
        }
    }

    /// One message to several users.
    pub async fn batch_send(
        &self,
        caller: &Caller,
        request: BatchSendRequest,
    ) -> ImResult<Vec<BatchSendOutcome>> {
        if request.users.len() > 500 {
            return Err(ImError::invalid_param("at most 500 users"));
        }
        let copies = request.into_copies()?;
        // Each copy is its own send to its own conversation, so several
        // run at once: the SQLite writer then commits them together (one
        // commit for up to BATCH_SEND_PARALLEL copies, not one each), and
        // PostgreSQL runs them on that many connections. The outcomes stay
        // in the request's order.
        let outcomes =
            futures::stream::iter(copies.into_iter().map(|(user, message)| async move {
                let result = match ConvId::c2c(user.as_str()) {
                    Ok(conv) => self.send(caller, SendRequest { conv, message }).await,
                    Err(e) => Err(e),
                };
                BatchSendOutcome { user, result }
            }))
            .buffered(BATCH_SEND_PARALLEL)
            .collect()
            .await;
        Ok(outcomes)
    }

    /// Deletes messages from the caller's roaming history (once a second).
    pub async fn delete_messages(&self, caller: &Caller, request: DeleteRequest) -> ImResult<()> {
        if request.msg_ids.len() > MAX_MESSAGES_PER_LIST_DELETE {
            return Err(ImError::invalid_param("at most 50 messages per delete"));
        }
        let key = self.conv_key(caller, &request.conv).await?;
        let allowance = format!("delete:{}", caller.user);
        if !self
            .store
            .take_allowance(&allowance, 1, Duration::from_secs(1))
            .await?
        {
            return Err(ImError::new(
                ErrorCode::ApiCallFrequencyLimit,
                "one message delete a second",
            ));
        }
        self.store
            .hide_messages(&caller.user, &key, &request.msg_ids)
            .await
    }

    /// Clears the caller's roaming history of a conversation.
    pub async fn clear_history(&self, caller: &Caller, conv: ConvId) -> ImResult<()> {
        let key = self.conv_key(caller, &conv).await?;
        self.store.clear_history(&caller.user, &key).await
    }

    /// Sets a receive option (five calls a second, 30 users a call).
    pub async fn set_receive_option(
        &self,
        caller: &Caller,
        request: ReceiveOptionRequest,
    ) -> ImResult<u64> {
        let convs = match &request.target {
            ReceiveOptionTarget::Users { users } => {
                if users.is_empty() || users.len() > MAX_USERS_PER_C2C_RECEIVE_OPT {
                    return Err(ImError::new(ErrorCode::Param, "1 to 30 user ids per call"));
                }
                users
                    .iter()
                    .map(|u| ConvId::c2c(u.as_str()))
                    .collect::<ImResult<Vec<_>>>()?
            }
            ReceiveOptionTarget::Group { group } => {
                let conv = ConvId::group(group.as_str())?;
                self.conv_key(caller, &conv).await?;
                vec![conv]
            }
        };
        let allowance = format!("receive_option:{}", caller.user);
        if !self
            .store
            .take_allowance(&allowance, 5, Duration::from_secs(1))
            .await?
        {
            return Err(ImError::new(
                ErrorCode::ApiCallFrequencyLimit,
                "five receive-option calls a second",
            ));
        }
        let opt = request.opt;
        let change: BookChange = Box::new(move |book| {
            Ok(convs
                .iter()
                .map(|conv| {
                    let state = book.state(conv);
                    state.recv_opt = opt;
                    ServerEvent::ConversationState {
                        state: state.clone(),
                        conv: conv.clone(),
                    }
                })
                .collect())
        });
        let (cursor, notified) = self.store.update_book(&caller.user, change).await?;
        self.notify(&notified);
        Ok(cursor)
    }

    /// The caller's receive options for C2C peers.
    pub async fn c2c_receive_options(
        &self,
        caller: &Caller,
        users: Vec<String>,
    ) -> ImResult<Vec<ReceiveOption>> {
        if users.len() > MAX_USERS_PER_C2C_RECEIVE_OPT {
            return Err(ImError::new(
                ErrorCode::Param,
                "at most 30 user ids per call",
            ));
        }
        let (book, _) = self.store.book(&caller.user).await?;
        users
            .into_iter()
            .map(|user| {
                let conv = ConvId::c2c(user.as_str())?;
                let opt = book
                    .convs
                    .get(&conv)
                    .map_or(ReceiveMessageOpt::Receive, |s| s.recv_opt);
                Ok(ReceiveOption { user, opt })
            })
            .collect()
    }

    /// Sets the account-wide receive option.
    pub async fn set_all_receive_option(
        &self,
        caller: &Caller,
        option: AllReceiveOption,
    ) -> ImResult<()> {
        let json =
            serde_json::to_string(&option).map_err(|e| ImError::invalid_param(e.to_string()))?;
        self.store
            .put_setting(&caller.user, ALL_RECEIVE_OPTION, &json)
            .await
    }

    /// The account-wide receive option.
    pub async fn all_receive_option(&self, caller: &Caller) -> ImResult<AllReceiveOption> {
        match self.store.setting(&caller.user, ALL_RECEIVE_OPTION).await? {
            Some(json) => serde_json::from_str(&json).map_err(codes::internal),
            None => Ok(AllReceiveOption::default()),
        }
    }

    /// A merged message's body, for those who may read the conversation
    /// it was sent in.
    pub async fn merged(&self, caller: &Caller, json_key: &str) -> ImResult<Vec<Message>> {
        let missing = || ImError::invalid_param("no merged message with this key");
        let (conv, messages) = self.store.merged(json_key).await?.ok_or_else(missing)?;
        let readable = match &conv {
            ConvKey::C2c { low, high } => *low == caller.user || *high == caller.user,
            ConvKey::Group(group) => self.role(&caller.user, group).await?.is_some(),
        };
        // A stranger learns nothing, not even that the key exists.
        if readable {
            Ok(messages)
        } else {
            Err(missing())
        }
    }

    /// Modifies a message: only its sender.
    pub async fn modify(&self, caller: &Caller, request: SendRequest) -> ImResult<ModifyOutcome> {
        let key = self.conv_key(caller, &request.conv).await?;
        let msg_id = request.message.msg_id.clone().unwrap_or_default();
        let stored = self
            .store
            .message(&key, &msg_id)
            .await?
            .ok_or_else(|| ImError::invalid_param("no such message"))?;
        if stored.sender != caller.user {
            return Err(denied("only the sender may modify a message"));
        }
        let (stored, conflict, notified) = self.store.modify(&key, request.message).await?;
        self.notify(&notified);
        let (_, message) = stored.for_viewer(&caller.user)?;
        Ok(ModifyOutcome { message, conflict })
    }

    /// Sends read receipts for messages of a conversation the caller reads.
    pub async fn send_receipts(&self, caller: &Caller, request: ReceiptRequest) -> ImResult<()> {
        let key = self.conv_key(caller, &request.conv).await?;
        let notified = self
            .store
            .add_receipts(&caller.user, &key, &request.msg_ids)
            .await?;
        self.notify(&notified);
        Ok(())
    }

    /// Receipts of the caller's own messages.
    pub async fn message_receipts(
        &self,
        caller: &Caller,
        request: ReceiptRequest,
    ) -> ImResult<Vec<MessageReceipt>> {
        let key = self.conv_key(caller, &request.conv).await?;
        let mut own = Vec::new();
        for id in &request.msg_ids {
            if let Some(m) = self.store.message(&key, id).await?
                && m.sender == caller.user
            {
                own.push(id.clone());
            }
        }
        let mut receipts = self.store.receipts(&key, &own).await?;
        for r in &mut receipts {
            r.conv_id = Some(request.conv.peer().to_owned());
            r.conv_type = Some(request.conv.conv_type());
        }
        Ok(receipts)
    }

    /// Users' profiles, in the order asked; a user without one gets an
    /// empty profile with their id (any user id may log in, so "no such
    /// account" cannot be told apart from "no profile yet").
    ///
    /// # Errors
    /// 40002 for no users, 40001 for more than 100 or a user id that is
    /// not valid.
    pub async fn profiles(&self, users: &[String]) -> ImResult<Vec<UserProfile>> {
        if users.is_empty() {
            return Err(server(
                profile::codes::ACCOUNT_MISS,
                "name the users whose profiles to read",
            ));
        }
        if users.len() > profile::MAX_USERS_PER_LOOKUP
            || users.iter().any(|u| !valid_id(u, MAX_USER_ID_BYTES))
        {
            return Err(server(
                profile::codes::INVALID_PARAMETERS,
                format!(
                    "1 to {} valid user ids per profile lookup",
                    profile::MAX_USERS_PER_LOOKUP
                ),
            ));
        }
        let stored = self.store.profiles(users).await?;
        Ok(users
            .iter()
            .map(|u| {
                stored
                    .iter()
                    .find(|p| p.identifier.as_deref() == Some(u))
                    .cloned()
                    .unwrap_or_else(|| profile::empty_profile(u))
            })
            .collect())
    }

    /// Changes the caller's profile; the change reaches the caller's
    /// devices and everyone who shares a conversation with them. Returns
    /// the cursor of the caller's own echo.
    ///
    /// # Errors
    /// Tencent's profile codes (see `im_model::profile::apply_item`).
    pub async fn modify_profile(&self, caller: &Caller, item: UserProfileItem) -> ImResult<u64> {
        let fields = self.profile_custom_fields.clone();
        let (_, cursor, notified) = self
            .store
            .update_profile(
                &caller.user,
                Box::new(move |current| profile::apply_item(current, &item, &fields)),
            )
            .await?;
        self.notify(&notified);
        Ok(cursor)
    }

    /// A new group's information from its creation request, checked
    /// against Tencent's limits.
    fn new_group_info(
        &self,
        caller: &Caller,
        request: &CreateGroupRequest,
    ) -> ImResult<GroupDetailInfo> {
        let details = &request.details;
        let group_type = details.group_type.unwrap_or(GroupType::Public);
        let too_long = [
            (request.name.len(), group::MAX_NAME_BYTES, "name"),
            (
                details.notification.len(),
                group::MAX_NOTIFICATION_BYTES,
                "notification",
            ),
            (
                details.introduction.len(),
                group::MAX_INTRODUCTION_BYTES,
                "introduction",
            ),
            (
                details.face_url.len(),
                group::MAX_FACE_URL_BYTES,
                "face URL",
            ),
        ]
        .into_iter()
        .find(|(len, max, _)| len > max);
        if let Some((len, max, what)) = too_long {
            return Err(server(
                codes::GROUP_INVALID_PARAMETERS,
                format!("the group's {what} is {len} bytes, over {max}"),
            ));
        }
        if matches!(group_type, GroupType::Unknown(_) | GroupType::Community) {
            return Err(server(
                codes::GROUP_INVALID_PARAMETERS,
                "the group type is Public (0), Private/Work (1), ChatRoom/Meeting (2), BChatRoom (3) or AVChatRoom (4)",
            ));
        }
        let max_members = group::default_max_members(group_type);
        if request.members.len() + 1 > max_members as usize {
            return Err(server(
                codes::GROUP_MEMBER_COUNT_LIMIT,
                format!("a {group_type:?} group has at most {max_members} members"),
            ));
        }
        // Tencent's defaults: Work groups are joined by invitation only,
        // others after approval, AVChatRoom freely.
        let add_option = match (details.add_option, group_type) {
            (Some(option), _) if option <= group::add_option::ANY => option,
            (Some(_), _) => {
                return Err(server(
                    codes::GROUP_INVALID_PARAMETERS,
                    "the add option is 0 (forbid), 1 (auth) or 2 (any)",
                ));
            }
            (None, GroupType::Private) => group::add_option::FORBID,
            (None, GroupType::AvChatRoom | GroupType::BChatRoom) => group::add_option::ANY,
            (None, _) => group::add_option::AUTH,
        };
        let now = u32::try_from(self.now()).unwrap_or(u32::MAX);
        Ok(GroupDetailInfo {
            group_id: Some(request.group_id.clone()),
            group_type: Some(group_type),
            group_name: Some(request.name.clone()),
            notification: Some(details.notification.clone()),
            introduction: Some(details.introduction.clone()),
            face_url: Some(details.face_url.clone()),
            create_time: Some(now),
            info_seq: Some(1),
            last_info_time: Some(now),
            max_member_num: Some(max_members),
            add_option: Some(add_option),
            visible: Some(1),
            searchable: Some(1),
            is_shutup_all: Some(false),
            owner_identifier: Some(caller.user.clone()),
            custom_info: Some(Vec::new()),
            ..GroupDetailInfo::default()
        })
    }

    /// The groups the caller is in (`TIMGroupGetJoinedGroupList`).
    pub async fn joined_groups(&self, caller: &Caller) -> ImResult<Vec<JoinedGroup>> {
        self.store.joined_groups(&caller.user).await
    }

    /// Groups' information, one answer per group asked
    /// (`TIMGroupGetGroupInfoList`): a Work group's is for its members; the
    /// other types' for anyone (they are found and joined by their id).
    ///
    /// # Errors
    /// 10004 for no group or more than 50; per group, 10010 no such group
    /// and 10007 a Work group the caller is not in.
    pub async fn group_infos(
        &self,
        caller: &Caller,
        group_ids: &[String],
    ) -> ImResult<Vec<GetGroupInfoResult>> {
        if group_ids.is_empty() || group_ids.len() > group::MAX_GROUPS_PER_LOOKUP {
            return Err(server(
                codes::GROUP_INVALID_PARAMETERS,
                format!("1 to {} groups per lookup", group::MAX_GROUPS_PER_LOOKUP),
            ));
        }
        let mut results = Vec::with_capacity(group_ids.len());
        for id in group_ids {
            let refused = |code: i32, desc: String| GetGroupInfoResult {
                code: Some(code),
                desc: Some(desc),
                info: Some(GroupDetailInfo {
                    group_id: Some(id.clone()),
                    ..GroupDetailInfo::default()
                }),
                ..GetGroupInfoResult::default()
            };
            let result = match self.store.group_info(id).await? {
                None => refused(codes::GROUP_NOT_FOUND, format!("no group {id:?}")),
                Some(info)
                    if info.group_type == Some(GroupType::Private)
                        && self.role(&caller.user, id).await?.is_none() =>
                {
                    refused(
                        codes::GROUP_PERMISSION_DENY,
                        "a Work group's information is for its members".into(),
                    )
                }
                Some(info) => GetGroupInfoResult {
                    code: Some(0),
                    desc: Some(String::new()),
                    info: Some(info),
                    ..GetGroupInfoResult::default()
                },
            };
            results.push(result);
        }
        Ok(results)
    }

    /// Changes a group's information (`TIMGroupModifyGroupInfo`) under
    /// Tencent's rules (`im_model::group::apply_modify`); every member gets
    /// the `kTIMGroupTip_GroupInfoChange` tip, written with the change.
    ///
    /// # Errors
    /// 10010 no such group, 10007 not allowed (or not a member), 10004 a
    /// malformed change.
    pub async fn modify_group_info(
        &self,
        caller: &Caller,
        param: GroupModifyInfoParam,
    ) -> ImResult<()> {
        let group_id = param.group_id.clone().unwrap_or_default();
        if !valid_id(&group_id, MAX_GROUP_ID_BYTES) {
            return Err(server(codes::GROUP_INVALID_PARAMETERS, "invalid group id"));
        }
        let (user, now, msg_id) = (
            caller.user.clone(),
            self.now(),
            format!("tip-{}", random_token()?),
        );
        let (_, notified) = self
            .store
            .modify_group(
                &group_id,
                Box::new(move |info, role_of| {
                    let role =
                        role_of(&user)?.ok_or_else(|| denied("not a member of this group"))?;
                    let new_owner_role = match param.owner.as_deref() {
                        Some(owner) => role_of(owner)?,
                        None => None,
                    };
                    let modified = group::apply_modify(info, &param, role, new_owner_role)?;
                    let tips = GroupTipsElem {
                        tip_type: Some(GroupTipType::GroupInfoChange),
                        op_user: Some(user.clone()),
                        group_id: info.group_id.clone(),
                        group_change_info_array: Some(modified.changes.clone()),
                        ..GroupTipsElem::default()
                    };
                    let tip = NewMessage {
                        conv: ConvKey::Group(info.group_id.clone().unwrap_or_default()),
                        sender: user.clone(),
                        msg_id: msg_id.clone(),
                        now,
                        message: Message {
                            elem_array: Some(vec![Elem::GroupTips(Box::new(tips))]),
                            ..Message::default()
                        },
                        echo_to_sender: true,
                    };
                    Ok((modified, tip))
                }),
            )
            .await?;
        self.notify(&notified);
        Ok(())
    }

    /// Dismisses a group (`TIMGroupDelete`; the owner only): every member
    /// gets its last message, a `kTIMGroupReport_Delete` report, and the
    /// group is gone (its conversation stays on their devices, read-only).
    ///
    /// # Errors
    /// 10010 no such group, 10007 not the owner.
    pub async fn dismiss_group(&self, caller: &Caller, group_id: &str) -> ImResult<()> {
        let (user, now, msg_id) = (
            caller.user.clone(),
            self.now(),
            format!("dismiss-{}", random_token()?),
        );
        let notified = self
            .store
            .dismiss_group(
                group_id,
                Box::new(move |info, role_of| {
                    if role_of(&user)? != Some(GroupMemberRole::Owner) {
                        return Err(denied("only the owner dismisses the group"));
                    }
                    let report = GroupReportElem {
                        report_type: Some(GroupReportType::Delete),
                        group_id: info.group_id.clone(),
                        op_user: Some(user.clone()),
                        ..GroupReportElem::default()
                    };
                    Ok(NewMessage {
                        conv: ConvKey::Group(info.group_id.clone().unwrap_or_default()),
                        sender: user.clone(),
                        msg_id: msg_id.clone(),
                        now,
                        message: Message {
                            elem_array: Some(vec![Elem::GroupReport(Box::new(report))]),
                            ..Message::default()
                        },
                        echo_to_sender: true,
                    })
                }),
            )
            .await?;
        self.notify(&notified);
        Ok(())
    }
}

/// The error a UserSig failure answers.
fn sig_error(e: &SigError) -> ImError {
    server(e.code(), e.to_string())
}
