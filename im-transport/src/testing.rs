//! `TestTransport`: a scriptable in-process server for tests.
//!
//! It behaves like a small, correct server (per-conversation sequences,
//! idempotent sends, a roaming store, an event log with cursors), records
//! every request, and lets a test script what a real network does: fail a
//! chosen call with a chosen error, or hold a call until the test releases
//! it. Holding uses `futures` channels only, so any executor drives it and
//! no test needs to sleep.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures::channel::oneshot;
use im_model::enums::{GroupMemberRole, GroupTipType, GroupType};
use im_model::group::{
    self, GetGroupInfoResult, GroupBaseInfo, GroupDetailInfo, GroupModifyInfoParam, GroupSelfInfo,
};
use im_model::group_member::{
    self, GroupModifyMemberInfoParam, GroupPendency, GroupPendencyOption, GroupPendencyResult,
    JoinPath, MemberState,
};
use im_model::message::GroupTipsElem;
use im_model::message::{Message, MessageReceipt, UserProfile};
use im_model::profile::{self, UserProfileItem};
use im_model::{
    Clock, ConvId, ConvType, ErrorCode, GroupAtInfo, ImError, ImResult, MsgStatus,
    ReceiveMessageOpt,
};

use crate::{
    AllReceiveOption, BatchSendOutcome, BatchSendRequest, ConvRoamingState, ConvStateBook,
    ConvStateChange, ConvSummary, ConversationSnapshot, CreateGroupRequest, DeleteRequest,
    DownloadChunk, DownloadRequest, EventBatch, EventPage, GroupMember, HandlePendencyRequest,
    HistoryRequest, JoinAnswer, JoinGroupRequest, LoginRequest, MembersPage, MembersPageRequest,
    MergedRequest, ModifyOutcome, PullRequest, ReadReport, ReceiptRequest, ReceiveOption,
    ReceiveOptionRequest, ReceiveOptionTarget, RevokeRequest, SendAck, SendRequest, SequencedEvent,
    ServerEvent, Transport, UploadProgress, UploadRequest, UploadedFile,
};

/// A kind of transport call, for scripting failures and holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// `login`.
    Login,
    /// `update_conversations`.
    UpdateConversations,
    /// `conversation_snapshot`.
    Snapshot,
    /// `logout`.
    Logout,
    /// `send_message`.
    Send,
    /// `revoke_message`.
    Revoke,
    /// `report_read`.
    ReportRead,
    /// `pull_history`.
    PullHistory,
    /// `pull_events`.
    PullEvents,
    /// `batch_send`.
    BatchSend,
    /// `delete_messages`.
    Delete,
    /// `clear_history`.
    ClearHistory,
    /// `set_receive_option`.
    SetReceiveOption,
    /// `c2c_receive_options`.
    C2CReceiveOptions,
    /// `upload`.
    Upload,
    /// `download`.
    Download,
    /// `merged_messages`.
    Merged,
    /// `modify_message`.
    Modify,
    /// `send_receipts`.
    SendReceipts,
    /// `message_receipts`.
    MessageReceipts,
    /// `set_all_receive_option`.
    SetAllReceiveOption,
    /// `all_receive_option`.
    AllReceiveOption,
    /// The group calls (`create_group`, `add_group_members`,
    /// `remove_group_members`, `group_members`).
    Group,
    /// The profile calls (`user_profiles`, `modify_self_profile`).
    Profile,
}

/// A recorded request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `login` (the user id; the UserSig is not recorded).
    Login(String),
    /// `update_conversations`.
    UpdateConversations(ConvStateChange),
    /// `conversation_snapshot`.
    Snapshot,
    /// `logout`.
    Logout,
    /// `send_message`.
    Send(SendRequest),
    /// `revoke_message`.
    Revoke(RevokeRequest),
    /// `report_read`.
    ReportRead(ReadReport),
    /// `pull_history`.
    PullHistory(HistoryRequest),
    /// `pull_events`.
    PullEvents(PullRequest),
    /// `batch_send`.
    BatchSend(BatchSendRequest),
    /// `delete_messages`.
    Delete(DeleteRequest),
    /// `clear_history`.
    ClearHistory(ConvId),
    /// `set_receive_option`.
    SetReceiveOption(ReceiveOptionRequest),
    /// `c2c_receive_options`.
    C2CReceiveOptions(Vec<String>),
    /// `upload`.
    Upload(UploadRequest),
    /// `download`.
    Download(DownloadRequest),
    /// `merged_messages`.
    Merged(MergedRequest),
    /// `modify_message`.
    Modify(SendRequest),
    /// `send_receipts`.
    SendReceipts(ReceiptRequest),
    /// `message_receipts`.
    MessageReceipts(ReceiptRequest),
    /// `set_all_receive_option`.
    SetAllReceiveOption(AllReceiveOption),
    /// `all_receive_option`.
    AllReceiveOption,
    /// A group call: its name and group id.
    Group(&'static str, String),
    /// `user_profiles`: the users asked for.
    UserProfiles(Vec<String>),
    /// `modify_self_profile`.
    ModifySelfProfile(UserProfileItem),
}

/// Releases a held call.
#[derive(Debug)]
pub struct Gate(Option<oneshot::Sender<()>>);

impl Gate {
    /// Lets the held call continue.
    pub fn release(mut self) {
        if let Some(tx) = self.0.take() {
            // The call may have been dropped (cancelled); nothing to release then.
            let _ = tx.send(());
        }
    }
}

#[derive(Debug, Default)]
struct State {
    requests: Vec<Request>,
    failures: HashMap<Call, VecDeque<ImError>>,
    holds: HashMap<Call, VecDeque<oneshot::Receiver<()>>>,
    events: Vec<ServerEvent>,
    /// How many events were dropped from the front of `events` (the
    /// cursor of `events[i]` is `compacted + i + 1`).
    compacted: u64,
    seqs: HashMap<ConvId, u64>,
    acks: HashMap<String, SendAck>,
    roaming: BTreeMap<ConvId, Vec<Message>>,
    files: HashMap<String, Vec<u8>>,
    merged: HashMap<String, Vec<Message>>,
    receive_options: HashMap<String, ReceiveMessageOpt>,
    all_receive_option: AllReceiveOption,
    /// Readers of each message (read receipts).
    readers: HashMap<String, Vec<String>>,
    /// The user of the current session.
    logged_in: Option<String>,
    /// Why the session ended on the server's side (kicked off, UserSig
    /// expired): every call but `login` fails with it until the next login.
    ended: Option<ImError>,
    /// The user's roaming conversation state (groups, and each
    /// conversation's pin, marks, groups, custom data, receive option and
    /// read positions).
    book: ConvStateBook,
    last_unique: u64,
    /// Groups made through `create_group`: owner and members (the owner
    /// included).
    groups: HashMap<String, (String, BTreeSet<String>)>,
    /// Conversations the user deleted since their last message: not in
    /// the user's list (a snapshot leaves them out).
    deleted: BTreeSet<ConvId>,
    /// Users' profiles (a user without one gets an empty one).
    profiles: HashMap<String, UserProfile>,
    /// The information of groups made through `create_group`.
    group_infos: HashMap<String, GroupDetailInfo>,
    /// Members whose role, name card or mute differ from a plain member's
    /// (the owner is the group's owner), by group and user.
    member_states: HashMap<(String, String), MemberState>,
    /// Join requests, with whether they were answered.
    pendencies: Vec<(GroupPendency, bool)>,
    /// The time up to which join requests were reported read.
    pendency_read: u64,
}

/// The custom profile field the test server declares.
pub const TEST_CUSTOM_PROFILE_KEY: &str = "Tag_Profile_Custom_Str";

/// The scriptable test server.
#[derive(Debug)]
pub struct TestTransport {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
}

impl TestTransport {
    /// A server reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> TestTransport {
        TestTransport {
            state: Mutex::new(State::default()),
            clock,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.state().requests.clone()
    }

    /// The next `call` fails with `error` (queued per call kind).
    pub fn fail_next(&self, call: Call, error: ImError) {
        self.state()
            .failures
            .entry(call)
            .or_default()
            .push_back(error);
    }

    /// The next `call` waits until the returned gate is released (or the
    /// call is dropped).
    pub fn hold_next(&self, call: Call) -> Gate {
        let (tx, rx) = oneshot::channel();
        self.state().holds.entry(call).or_default().push_back(rx);
        Gate(Some(tx))
    }

    /// Appends a server event for `pull_events`.
    pub fn push_event(&self, event: ServerEvent) {
        self.state().events.push(event);
    }

    /// A peer's profile changes to `profile`: the server keeps it and logs
    /// a [`ServerEvent::ProfileUpdated`] for the user.
    pub fn set_peer_profile(&self, profile: UserProfile) {
        let mut state = self.state();
        let user = profile.identifier.clone().unwrap_or_default();
        state.profiles.insert(user, profile.clone());
        state.events.push(ServerEvent::ProfileUpdated { profile });
    }

    /// A peer sends `message` into `conv`: the server assigns id, sequence
    /// and time as for any send, stores it for roaming, and logs the event.
    /// Returns the message as delivered.
    pub fn deliver_from_peer(&self, conv: &ConvId, sender: &str, mut message: Message) -> Message {
        let mut state = self.state();
        let ack = assign(&mut state, conv, &message, self.clock.now_secs());
        if message.msg_id.is_none() {
            message.msg_id = Some(format!("peer-{}-{}", conv, ack.seq));
        }
        message.conv_id = Some(conv.peer().to_owned());
        message.conv_type = Some(conv.conv_type());
        message.sender = Some(sender.to_owned());
        message.is_from_self = Some(false);
        message.seq = Some(ack.seq);
        message.server_time = Some(ack.server_time);
        message.client_time.get_or_insert(ack.server_time);
        message.unique_id = Some(ack.unique_id);
        message.rand.get_or_insert(ack.seq * 31 + 7);
        message.status = Some(MsgStatus::SendSucc);
        state
            .roaming
            .entry(conv.clone())
            .or_default()
            .push(message.clone());
        state.events.push(ServerEvent::NewMessage {
            conv: conv.clone(),
            message: message.clone(),
        });
        message
    }

    /// Puts messages into the roaming store only (history from before this
    /// device existed).
    pub fn seed_roaming(&self, conv: &ConvId, messages: Vec<Message>) {
        self.state()
            .roaming
            .entry(conv.clone())
            .or_default()
            .extend(messages);
    }

    /// Drops the events at or before `cursor` from the stream, as a server
    /// keeps only so much: a pull from an older cursor then answers
    /// [`EventPage::CursorTooOld`].
    pub fn compact_events(&self, cursor: u64) {
        let mut state = self.state();
        let drop = usize::try_from(cursor.saturating_sub(state.compacted))
            .unwrap_or(usize::MAX)
            .min(state.events.len());
        state.events.drain(..drop);
        state.compacted += drop as u64;
    }

    /// Ends the session from the server's side, as when the same user logs
    /// in on another device (6208) or the UserSig expires (6206): every call
    /// but `login` fails with `reason` until the next login.
    pub fn end_session(&self, reason: ImError) {
        self.state().ended = Some(reason);
    }

    /// The user's conversation state as the server holds it.
    pub fn conversation_state(&self, conv: &ConvId) -> Option<ConvRoamingState> {
        self.state().book.convs.get(conv).cloned()
    }

    /// The user of the current session, if one is logged in.
    pub fn logged_in(&self) -> Option<String> {
        self.state().logged_in.clone()
    }

    /// Makes a file downloadable under `id`.
    pub fn put_file(&self, id: &str, bytes: Vec<u8>) {
        self.state().files.insert(id.to_owned(), bytes);
    }

    /// Makes a merged message's body available under its JSON key.
    pub fn put_merged(&self, json_key: &str, messages: Vec<Message>) {
        self.state().merged.insert(json_key.to_owned(), messages);
    }

    /// The receive option the server holds for a C2C peer.
    pub fn receive_option(&self, user: &str) -> Option<ReceiveMessageOpt> {
        self.state().receive_options.get(user).copied()
    }

    /// The message as the server's roaming store holds it.
    pub fn stored(&self, conv: &ConvId, msg_id: &str) -> Option<Message> {
        self.state()
            .roaming
            .get(conv)?
            .iter()
            .find(|m| m.msg_id.as_deref() == Some(msg_id))
            .cloned()
    }

    /// Replaces the server's copy of a message (a concurrent modify from
    /// another device).
    pub fn modify_on_server(&self, conv: &ConvId, message: Message) {
        if let Some(slot) = self
            .state()
            .roaming
            .get_mut(conv)
            .and_then(|msgs| msgs.iter_mut().find(|m| m.msg_id == message.msg_id))
        {
            *slot = message;
        }
    }

    /// Records `request`, then applies the script for `call`: a held call
    /// waits for its gate, a scripted failure is returned.
    async fn begin(&self, call: Call, request: Request) -> ImResult<()> {
        let (hold, failure) = {
            let mut state = self.state();
            let is_login = matches!(request, Request::Login(_));
            state.requests.push(request);
            if let Some(ended) = state.ended.clone().filter(|_| !is_login) {
                return Err(ended);
            }
            (
                state.holds.get_mut(&call).and_then(VecDeque::pop_front),
                state.failures.get_mut(&call).and_then(VecDeque::pop_front),
            )
        };
        if let Some(rx) = hold {
            // A dropped gate releases the call too.
            let _ = rx.await;
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Sequence, time and unique id for a new message of `conv`, or the ones
/// already given to the same message id (idempotent sends).
fn assign(state: &mut State, conv: &ConvId, message: &Message, now: u64) -> SendAck {
    if let Some(ack) = message.msg_id.as_ref().and_then(|id| state.acks.get(id)) {
        return *ack;
    }
    // A new message brings a deleted conversation back into the list.
    state.deleted.remove(conv);
    let seq = state.seqs.entry(conv.clone()).or_default();
    *seq += 1;
    state.last_unique += 1;
    let ack = SendAck {
        seq: *seq,
        server_time: now,
        unique_id: state.last_unique,
    };
    if let Some(id) = &message.msg_id {
        state.acks.insert(id.clone(), ack);
    }
    ack
}

fn not_found(what: &str) -> ImError {
    ImError::new(
        ErrorCode::InvalidParameters,
        format!("{what} not found on the server"),
    )
}

#[async_trait]
impl Transport for TestTransport {
    async fn login(&self, request: LoginRequest) -> ImResult<()> {
        self.begin(Call::Login, Request::Login(request.user_id.clone()))
            .await?;
        if request.user_sig.is_empty() {
            // Tencent's ERR_SVR_ACCOUNT_USERSIG_EMPTY.
            return Err(ImError::new(
                ErrorCode::Server(70013),
                "the UserSig is empty",
            ));
        }
        let mut state = self.state();
        state.logged_in = Some(request.user_id);
        state.ended = None;
        Ok(())
    }

    async fn update_conversations(&self, change: ConvStateChange) -> ImResult<u64> {
        self.begin(
            Call::UpdateConversations,
            Request::UpdateConversations(change.clone()),
        )
        .await?;
        let mut state = self.state();
        let events = state.book.apply(change)?;
        for event in &events {
            if let ServerEvent::ConversationsDeleted { convs } = event {
                state.deleted.extend(convs.iter().cloned());
            }
        }
        state.events.extend(events);
        Ok(state.compacted + state.events.len() as u64)
    }

    async fn logout(&self) -> ImResult<()> {
        self.begin(Call::Logout, Request::Logout).await?;
        self.state().logged_in = None;
        Ok(())
    }

    async fn send_message(&self, request: SendRequest) -> ImResult<SendAck> {
        self.begin(Call::Send, Request::Send(request.clone()))
            .await?;
        let mut state = self.state();
        let first = request
            .message
            .msg_id
            .as_ref()
            .is_none_or(|id| !state.acks.contains_key(id));
        let ack = assign(
            &mut state,
            &request.conv,
            &request.message,
            self.clock.now_secs(),
        );
        if first {
            let mut stored = request.message;
            stored.seq = Some(ack.seq);
            stored.server_time = Some(ack.server_time);
            stored.unique_id = Some(ack.unique_id);
            stored.status = Some(MsgStatus::SendSucc);
            state.roaming.entry(request.conv).or_default().push(stored);
        }
        Ok(ack)
    }

    async fn revoke_message(&self, request: RevokeRequest) -> ImResult<()> {
        self.begin(Call::Revoke, Request::Revoke(request.clone()))
            .await?;
        let mut state = self.state();
        let found = state.roaming.get_mut(&request.conv).and_then(|msgs| {
            msgs.iter_mut()
                .find(|m| m.msg_id.as_deref() == Some(&request.msg_id))
        });
        match found {
            Some(m) => {
                m.status = Some(MsgStatus::Revoked);
                Ok(())
            }
            None => Err(not_found("message")),
        }
    }

    async fn report_read(&self, request: ReadReport) -> ImResult<()> {
        self.begin(Call::ReportRead, Request::ReportRead(request.clone()))
            .await?;
        let mut state = self.state();
        for item in request.items {
            let conv = state.book.state(&item.conv);
            conv.read_time = conv.read_time.max(item.read_time);
            conv.read_seq = conv.read_seq.max(item.read_seq);
            let roamed = conv.clone();
            state.events.push(ServerEvent::ConversationState {
                conv: item.conv,
                state: roamed,
            });
        }
        Ok(())
    }

    async fn pull_history(&self, request: HistoryRequest) -> ImResult<Vec<Message>> {
        self.begin(Call::PullHistory, Request::PullHistory(request.clone()))
            .await?;
        let state = self.state();
        let mut msgs: Vec<Message> = state
            .roaming
            .get(&request.conv)
            .into_iter()
            .flatten()
            .filter(|m| {
                let key = (m.timestamp(), m.seq.unwrap_or(0));
                request
                    .anchor
                    .is_none_or(|a| if request.newer { key > a } else { key < a })
                    && request
                        .time_range
                        .is_none_or(|(from, to)| (from..=to).contains(&key.0))
            })
            .cloned()
            .collect();
        msgs.sort_by_key(|m| (m.timestamp(), m.seq.unwrap_or(0)));
        if !request.newer {
            msgs.reverse();
        }
        msgs.truncate(request.count as usize);
        Ok(msgs)
    }

    async fn pull_events(&self, request: PullRequest) -> ImResult<EventPage> {
        self.begin(Call::PullEvents, Request::PullEvents(request))
            .await?;
        let state = self.state();
        // Older than what is kept, or past the end (a log this server does
        // not have, e.g. from before it was reset): the client resyncs.
        let end = state.compacted + state.events.len() as u64;
        if request.cursor < state.compacted || request.cursor > end {
            return Ok(EventPage::CursorTooOld);
        }
        let start = usize::try_from(request.cursor - state.compacted)
            .unwrap_or(usize::MAX)
            .min(state.events.len());
        let end = start
            .saturating_add(request.limit as usize)
            .min(state.events.len());
        let events = state.events[start..end]
            .iter()
            .enumerate()
            .map(|(i, event)| SequencedEvent {
                cursor: state.compacted + (start + i) as u64 + 1,
                event: event.clone(),
            })
            .collect();
        Ok(EventPage::Events(EventBatch {
            events,
            next_cursor: state.compacted + end as u64,
            has_more: end < state.events.len(),
            head: state.compacted + state.events.len() as u64,
        }))
    }

    async fn conversation_snapshot(&self) -> ImResult<ConversationSnapshot> {
        self.begin(Call::Snapshot, Request::Snapshot).await?;
        let state = self.state();
        let with_messages = state
            .roaming
            .keys()
            .filter(|c| !state.deleted.contains(*c))
            .cloned();
        let listing = state.book.listing(with_messages);
        let listed: BTreeMap<&ConvId, &ConvRoamingState> =
            listing.conversations.iter().map(|(c, s)| (c, s)).collect();
        let user = state.logged_in.clone().unwrap_or_default();
        let summaries = state
            .roaming
            .iter()
            .filter_map(|(conv, messages)| {
                let roamed = listed.get(conv)?;
                Some(summarize(conv, messages, Some(roamed), &user))
            })
            .collect();
        Ok(ConversationSnapshot {
            groups: state.book.groups.clone(),
            cursor: state.compacted + state.events.len() as u64,
            conversations: listing.conversations,
            summaries,
            receive_options: listing.receive_options,
            profiles: state.profiles.values().cloned().collect(),
        })
    }

    async fn batch_send(&self, request: BatchSendRequest) -> ImResult<Vec<BatchSendOutcome>> {
        self.begin(Call::BatchSend, Request::BatchSend(request.clone()))
            .await?;
        let copies = request.into_copies()?;
        let mut state = self.state();
        let now = self.clock.now_secs();
        Ok(copies
            .into_iter()
            .map(|(user, message)| BatchSendOutcome {
                result: ConvId::c2c(user.as_str())
                    .map(|conv| assign(&mut state, &conv, &message, now)),
                user,
            })
            .collect())
    }

    async fn delete_messages(&self, request: DeleteRequest) -> ImResult<()> {
        self.begin(Call::Delete, Request::Delete(request.clone()))
            .await?;
        if let Some(msgs) = self.state().roaming.get_mut(&request.conv) {
            msgs.retain(|m| {
                m.msg_id
                    .as_ref()
                    .is_none_or(|id| !request.msg_ids.contains(id))
            });
        }
        Ok(())
    }

    async fn clear_history(&self, conv: ConvId) -> ImResult<()> {
        self.begin(Call::ClearHistory, Request::ClearHistory(conv.clone()))
            .await?;
        self.state().roaming.remove(&conv);
        Ok(())
    }

    async fn set_receive_option(&self, request: ReceiveOptionRequest) -> ImResult<u64> {
        self.begin(
            Call::SetReceiveOption,
            Request::SetReceiveOption(request.clone()),
        )
        .await?;
        let mut state = self.state();
        let convs = match &request.target {
            ReceiveOptionTarget::Users { users } => {
                for user in users {
                    state.receive_options.insert(user.clone(), request.opt);
                }
                users.iter().map(|u| ConvId::c2c(u.as_str())).collect()
            }
            ReceiveOptionTarget::Group { group } => vec![ConvId::group(group.as_str())],
        };
        for conv in convs.into_iter().flatten() {
            let roamed = state.book.state(&conv);
            roamed.recv_opt = request.opt;
            let roamed = roamed.clone();
            state.events.push(ServerEvent::ConversationState {
                conv,
                state: roamed,
            });
        }
        Ok(state.compacted + state.events.len() as u64)
    }

    async fn c2c_receive_options(&self, users: Vec<String>) -> ImResult<Vec<ReceiveOption>> {
        self.begin(
            Call::C2CReceiveOptions,
            Request::C2CReceiveOptions(users.clone()),
        )
        .await?;
        let state = self.state();
        Ok(users
            .into_iter()
            .map(|user| ReceiveOption {
                opt: state
                    .receive_options
                    .get(&user)
                    .copied()
                    .unwrap_or(ReceiveMessageOpt::Receive),
                user,
            })
            .collect())
    }

    async fn upload(
        &self,
        request: UploadRequest,
        progress: UploadProgress,
    ) -> ImResult<UploadedFile> {
        self.begin(Call::Upload, Request::Upload(request.clone()))
            .await?;
        progress(request.size / 2, request.size);
        progress(request.size, request.size);
        let id = format!("file-{}", self.state().files.len() + 1);
        self.state().files.insert(id.clone(), Vec::new());
        Ok(UploadedFile {
            url: format!("https://files.invalid/{id}"),
            id,
            business_id: 1,
        })
    }

    async fn download(
        &self,
        request: DownloadRequest,
        sink: &mut (dyn FnMut(DownloadChunk) -> ImResult<()> + Send),
    ) -> ImResult<()> {
        self.begin(Call::Download, Request::Download(request.clone()))
            .await?;
        let bytes = {
            let state = self.state();
            let id = request.id.clone().unwrap_or_default();
            state.files.get(&id).cloned().ok_or_else(|| {
                ImError::new(
                    ErrorCode::InvalidParameters,
                    format!("no file {id:?} on the server"),
                )
            })?
        };
        let total = bytes.len() as u64;
        for chunk in bytes.chunks(4096) {
            sink(DownloadChunk {
                bytes: chunk.to_vec(),
                total,
            })?;
        }
        Ok(())
    }

    async fn merged_messages(&self, request: MergedRequest) -> ImResult<Vec<Message>> {
        self.begin(Call::Merged, Request::Merged(request.clone()))
            .await?;
        self.state()
            .merged
            .get(&request.json_key)
            .cloned()
            .ok_or_else(|| not_found("merged message"))
    }

    async fn modify_message(&self, request: SendRequest) -> ImResult<ModifyOutcome> {
        self.modify(request).await
    }

    async fn send_receipts(&self, request: ReceiptRequest) -> ImResult<()> {
        self.begin(Call::SendReceipts, Request::SendReceipts(request.clone()))
            .await?;
        let mut state = self.state();
        for id in &request.msg_ids {
            state
                .readers
                .entry(id.clone())
                .or_default()
                .push(request.conv.to_string());
        }
        Ok(())
    }

    async fn message_receipts(&self, request: ReceiptRequest) -> ImResult<Vec<MessageReceipt>> {
        self.begin(
            Call::MessageReceipts,
            Request::MessageReceipts(request.clone()),
        )
        .await?;
        let state = self.state();
        Ok(request
            .msg_ids
            .iter()
            .map(|id| {
                let read = state.readers.get(id).map_or(0, Vec::len) as u64;
                MessageReceipt {
                    conv_id: Some(request.conv.peer().to_owned()),
                    conv_type: Some(request.conv.conv_type()),
                    msg_id: Some(id.clone()),
                    is_peer_read: Some(read > 0),
                    read_count: Some(read),
                    ..MessageReceipt::default()
                }
            })
            .collect())
    }

    async fn set_all_receive_option(&self, option: AllReceiveOption) -> ImResult<()> {
        self.begin(
            Call::SetAllReceiveOption,
            Request::SetAllReceiveOption(option.clone()),
        )
        .await?;
        self.state().all_receive_option = option;
        Ok(())
    }

    async fn all_receive_option(&self) -> ImResult<AllReceiveOption> {
        self.begin(Call::AllReceiveOption, Request::AllReceiveOption)
            .await?;
        Ok(self.state().all_receive_option.clone())
    }

    async fn create_group(&self, request: CreateGroupRequest) -> ImResult<()> {
        let id = request.group_id.clone();
        self.begin(Call::Group, Request::Group("create_group", id.clone()))
            .await?;
        let mut state = self.state();
        let me = state
            .logged_in
            .clone()
            .ok_or_else(|| ImError::new(ErrorCode::NotLogin, "not logged in"))?;
        if state.groups.contains_key(&id) {
            return Err(group_error(10021, "the group id is taken"));
        }
        let mut members: BTreeSet<String> = request.members.into_iter().collect();
        members.insert(me.clone());
        let info = GroupDetailInfo {
            group_id: Some(id.clone()),
            group_type: Some(request.details.group_type.unwrap_or(GroupType::Public)),
            group_name: Some(request.name),
            face_url: Some(request.details.face_url),
            owner_identifier: Some(me.clone()),
            info_seq: Some(1),
            ..GroupDetailInfo::default()
        };
        state.group_infos.insert(id.clone(), info);
        state.groups.insert(id, (me, members));
        Ok(())
    }

    async fn joined_groups(&self) -> ImResult<Vec<GroupBaseInfo>> {
        self.begin(Call::Group, Request::Group("joined_groups", String::new()))
            .await?;
        let state = self.state();
        let me = state.logged_in.clone().unwrap_or_default();
        Ok(state
            .groups
            .iter()
            .filter(|(_, (_, members))| members.contains(&me))
            .filter_map(|(id, (owner, _))| {
                let info = state.group_infos.get(id)?;
                Some(GroupBaseInfo {
                    group_id: Some(id.clone()),
                    group_name: info.group_name.clone(),
                    group_type: info.group_type,
                    face_url: info.face_url.clone(),
                    info_seq: info.info_seq,
                    self_info: Some(GroupSelfInfo {
                        role: Some(if *owner == me { 400 } else { 200 }),
                        ..GroupSelfInfo::default()
                    }),
                    ..GroupBaseInfo::default()
                })
            })
            .collect())
    }

    async fn group_infos(&self, group_ids: Vec<String>) -> ImResult<Vec<GetGroupInfoResult>> {
        self.begin(
            Call::Group,
            Request::Group("group_infos", group_ids.join(",")),
        )
        .await?;
        let state = self.state();
        Ok(group_ids
            .iter()
            .map(|id| match state.group_infos.get(id) {
                Some(info) => GetGroupInfoResult {
                    code: Some(0),
                    info: Some(info.clone()),
                    ..GetGroupInfoResult::default()
                },
                None => GetGroupInfoResult {
                    code: Some(10010),
                    desc: Some("no such group".into()),
                    ..GetGroupInfoResult::default()
                },
            })
            .collect())
    }

    async fn modify_group_info(&self, param: GroupModifyInfoParam) -> ImResult<()> {
        let id = param.group_id.clone().unwrap_or_default();
        self.begin(Call::Group, Request::Group("modify_group_info", id.clone()))
            .await?;
        let role_of = |members: &(String, BTreeSet<String>), user: &str| {
            if members.0 == user {
                Some(GroupMemberRole::Owner)
            } else if members.1.contains(user) {
                Some(GroupMemberRole::Normal)
            } else {
                None
            }
        };
        let modified = {
            let mut state = self.state();
            let me = state.logged_in.clone().unwrap_or_default();
            let group = state
                .groups
                .get(&id)
                .ok_or_else(|| group_error(10010, "no such group"))?;
            let role = role_of(group, &me).ok_or_else(|| group_error(10007, "not a member"))?;
            let new_owner = param.owner.as_deref().and_then(|o| role_of(group, o));
            let info = state.group_infos.get(&id).cloned().unwrap_or_default();
            let modified = group::apply_modify(&info, &param, role, new_owner)?;
            if let Some(owner) = &modified.new_owner
                && let Some(group) = state.groups.get_mut(&id)
            {
                group.0 = owner.clone();
            }
            state.group_infos.insert(id.clone(), modified.info.clone());
            (me, modified)
        };
        let (me, modified) = modified;
        let tips = GroupTipsElem {
            tip_type: Some(GroupTipType::GroupInfoChange),
            op_user: Some(me.clone()),
            group_id: Some(id.clone()),
            group_change_info_array: Some(modified.changes),
            ..GroupTipsElem::default()
        };
        let tip = Message {
            elem_array: Some(vec![im_model::Elem::GroupTips(Box::new(tips))]),
            ..Message::default()
        };
        self.deliver_from_peer(&ConvId::group(&id)?, &me, tip);
        Ok(())
    }

    async fn dismiss_group(&self, group_id: String) -> ImResult<()> {
        self.begin(
            Call::Group,
            Request::Group("dismiss_group", group_id.clone()),
        )
        .await?;
        self.group_call(&group_id, |me, (owner, _)| {
            if me != owner {
                return Err(group_error(10007, "only the owner dismisses the group"));
            }
            Ok(())
        })?;
        let mut state = self.state();
        state.groups.remove(&group_id);
        state.group_infos.remove(&group_id);
        Ok(())
    }

    async fn add_group_members(
        &self,
        group_id: String,
        users: Vec<String>,
    ) -> ImResult<Vec<String>> {
        self.begin(
            Call::Group,
            Request::Group("add_group_members", group_id.clone()),
        )
        .await?;
        self.group_call(&group_id, |me, (owner, members)| {
            if me != owner {
                return Err(group_error(10007, "only the owner adds members"));
            }
            Ok(users
                .into_iter()
                .filter(|u| members.insert(u.clone()))
                .collect())
        })
    }

    async fn remove_group_members(
        &self,
        group_id: String,
        users: Vec<String>,
    ) -> ImResult<Vec<String>> {
        self.begin(
            Call::Group,
            Request::Group("remove_group_members", group_id.clone()),
        )
        .await?;
        self.group_call(&group_id, |me, (owner, members)| {
            let quitting = users.len() == 1 && users[0] == me;
            if me != owner && !quitting {
                return Err(group_error(10007, "only the owner removes members"));
            }
            Ok(users.into_iter().filter(|u| members.remove(u)).collect())
        })
    }

    async fn user_profiles(&self, users: Vec<String>) -> ImResult<Vec<UserProfile>> {
        self.begin(Call::Profile, Request::UserProfiles(users.clone()))
            .await?;
        let state = self.state();
        Ok(users
            .iter()
            .map(|u| {
                state
                    .profiles
                    .get(u)
                    .cloned()
                    .unwrap_or_else(|| profile::empty_profile(u))
            })
            .collect())
    }

    async fn modify_self_profile(&self, item: UserProfileItem) -> ImResult<u64> {
        self.begin(Call::Profile, Request::ModifySelfProfile(item.clone()))
            .await?;
        let mut state = self.state();
        let me = state
            .logged_in
            .clone()
            .ok_or_else(|| ImError::new(ErrorCode::NotLogin, "not logged in"))?;
        let current = state
            .profiles
            .get(&me)
            .cloned()
            .unwrap_or_else(|| profile::empty_profile(&me));
        let next = profile::apply_item(&current, &item, &[TEST_CUSTOM_PROFILE_KEY.to_owned()])?;
        state.profiles.insert(me, next.clone());
        state
            .events
            .push(ServerEvent::ProfileUpdated { profile: next });
        Ok(state.compacted + state.events.len() as u64)
    }

    async fn group_members(&self, request: MembersPageRequest) -> ImResult<MembersPage> {
        let id = request.group_id.clone();
        self.begin(Call::Group, Request::Group("group_members", id.clone()))
            .await?;
        let state = self.state();
        let me = state.logged_in.clone().unwrap_or_default();
        if !state.groups.contains_key(&id) {
            return Err(group_error(10010, "no such group"));
        }
        if state.member_state(&id, &me).is_none() {
            return Err(group_error(10007, "not a member"));
        }
        let (_, members) = &state.groups[&id];
        let page_size = group_member::MAX_MEMBERS_PER_PAGE as usize;
        let start = usize::try_from(request.next).unwrap_or(usize::MAX);
        let matching: Vec<GroupMember> = members
            .iter()
            .filter(|u| request.users.is_empty() || request.users.contains(u))
            .filter_map(|u| state.member_state(&id, u))
            .filter(|m| group_member::role_matches(request.role_filter, m.role))
            .map(|m| GroupMember {
                name_card: m.name_card,
                mute_until: m.mute_until,
                ..GroupMember::new(m.user_id, m.role)
            })
            .collect();
        let more = matching.len() > start.saturating_add(page_size);
        let members = matching.into_iter().skip(start).take(page_size).collect();
        let next = if more { (start + page_size) as u64 } else { 0 };
        Ok(MembersPage { members, next })
    }

    async fn join_group(&self, request: JoinGroupRequest) -> ImResult<JoinAnswer> {
        let id = request.group_id.clone();
        self.begin(Call::Group, Request::Group("join_group", id.clone()))
            .await?;
        let (me, path) = {
            let mut state = self.state();
            let me = state.logged_in.clone().unwrap_or_default();
            let info = state
                .group_infos
                .get(&id)
                .cloned()
                .ok_or_else(|| group_error(10010, "no such group"))?;
            let role = state.member_state(&id, &me).map(|m| m.role);
            let count = state.groups[&id].1.len() as u32;
            let path = group_member::join_path(&info, role, count)?;
            match path {
                JoinPath::Direct => {
                    state.groups.get_mut(&id).map(|g| g.1.insert(me.clone()));
                }
                JoinPath::NeedsApproval => {
                    state.pendencies.retain(|(p, _)| {
                        !(p.group_id.as_ref() == Some(&id)
                            && p.from_identifier.as_ref() == Some(&me))
                    });
                    let now = self.clock.now_secs();
                    state.pendencies.push((
                        GroupPendency {
                            group_id: Some(id.clone()),
                            from_identifier: Some(me.clone()),
                            add_time: Some(now),
                            apply_invite_msg: Some(request.message),
                            ..GroupPendency::default()
                        },
                        false,
                    ));
                }
            }
            (me, path)
        };
        if path == JoinPath::Direct {
            self.deliver_members_tip(&id, &me, GroupTipType::Invite, vec![me.clone()])?;
        }
        Ok(JoinAnswer {
            pending: path == JoinPath::NeedsApproval,
        })
    }

    async fn modify_group_member(&self, param: GroupModifyMemberInfoParam) -> ImResult<()> {
        let id = param.group_id.clone().unwrap_or_default();
        self.begin(
            Call::Group,
            Request::Group("modify_group_member", id.clone()),
        )
        .await?;
        let mut state = self.state();
        let me = state.logged_in.clone().unwrap_or_default();
        let info = state
            .group_infos
            .get(&id)
            .cloned()
            .ok_or_else(|| group_error(10010, "no such group"))?;
        let target_id = param.identifier.clone().unwrap_or_default();
        let target = state
            .member_state(&id, &target_id)
            .ok_or_else(|| group_error(10007, "not a member"))?;
        let actor = state.member_state(&id, &me).map(|m| m.role);
        let now = self.clock.now_secs();
        let modified =
            group_member::apply_member_modify(&info, (&me, actor), &target, &param, now)?;
        state.member_states.insert((id, target_id), modified.member);
        Ok(())
    }

    async fn group_pendencies(&self, option: GroupPendencyOption) -> ImResult<GroupPendencyResult> {
        self.begin(
            Call::Group,
            Request::Group("group_pendencies", String::new()),
        )
        .await?;
        let state = self.state();
        let me = state.logged_in.clone().unwrap_or_default();
        let approves = |p: &GroupPendency| {
            let group = p.group_id.as_deref().unwrap_or_default();
            group_member::may_approve(state.member_state(group, &me).map(|m| m.role)).is_ok()
        };
        let start = option.start_time.unwrap_or(0);
        let mine: Vec<&(GroupPendency, bool)> = state
            .pendencies
            .iter()
            .filter(|(p, _)| approves(p))
            .filter(|(p, _)| start == 0 || p.add_time.unwrap_or(0) < start)
            .collect();
        let unread = mine
            .iter()
            .filter(|(p, handled)| !handled && p.add_time.unwrap_or(0) > state.pendency_read)
            .count();
        Ok(GroupPendencyResult {
            next_start_time: Some(0),
            read_time_seq: Some(state.pendency_read),
            unread_num: Some(unread as u32),
            pendency_array: Some(mine.into_iter().map(|(p, _)| p.clone()).collect()),
            ..GroupPendencyResult::default()
        })
    }

    async fn handle_group_pendency(&self, request: HandlePendencyRequest) -> ImResult<()> {
        let id = request.group_id.clone();
        self.begin(
            Call::Group,
            Request::Group("handle_group_pendency", id.clone()),
        )
        .await?;
        {
            let mut state = self.state();
            let me = state.logged_in.clone().unwrap_or_default();
            group_member::may_approve(state.member_state(&id, &me).map(|m| m.role))?;
            let entry = state
                .pendencies
                .iter_mut()
                .find(|(p, _)| {
                    p.group_id.as_ref() == Some(&id)
                        && p.from_identifier.as_ref() == Some(&request.applicant)
                })
                .ok_or_else(|| group_error(10004, "no such join request"))?;
            if entry.1 {
                return Err(group_error(10024, "answered before"));
            }
            entry.1 = true;
            entry.0.to_identifier = Some(me);
            entry.0.handle_result = Some(u32::from(request.accept));
            if request.accept {
                state
                    .groups
                    .get_mut(&id)
                    .map(|g| g.1.insert(request.applicant.clone()));
            }
        }
        if request.accept {
            let applicant = request.applicant;
            self.deliver_members_tip(
                &id,
                &applicant,
                GroupTipType::Invite,
                vec![applicant.clone()],
            )?;
        }
        Ok(())
    }

    async fn report_group_pendency_read(&self, time: u64) -> ImResult<()> {
        self.begin(
            Call::Group,
            Request::Group("report_group_pendency_read", String::new()),
        )
        .await?;
        let mut state = self.state();
        state.pendency_read = state.pendency_read.max(time);
        Ok(())
    }
}

impl State {
    /// `user`'s state in `group`, `None` when not a member.
    fn member_state(&self, group: &str, user: &str) -> Option<MemberState> {
        let (owner, members) = self.groups.get(group)?;
        if !members.contains(user) {
            return None;
        }
        let key = (group.to_owned(), user.to_owned());
        let mut state = self
            .member_states
            .get(&key)
            .cloned()
            .unwrap_or(MemberState {
                user_id: user.to_owned(),
                role: GroupMemberRole::Normal,
                name_card: String::new(),
                mute_until: 0,
            });
        if owner == user {
            state.role = GroupMemberRole::Owner;
        }
        Some(state)
    }
}

/// A group error with the reference server's code.
fn group_error(code: i32, what: &str) -> ImError {
    ImError::new(ErrorCode::from_code(code), what.to_owned())
}

impl TestTransport {
    /// Delivers a membership tip from `op_user` to the group.
    fn deliver_members_tip(
        &self,
        group: &str,
        op_user: &str,
        tip_type: GroupTipType,
        users: Vec<String>,
    ) -> ImResult<()> {
        let tips = GroupTipsElem {
            tip_type: Some(tip_type),
            op_user: Some(op_user.to_owned()),
            group_id: Some(group.to_owned()),
            user_array: Some(users),
            ..GroupTipsElem::default()
        };
        let tip = Message {
            elem_array: Some(vec![im_model::Elem::GroupTips(Box::new(tips))]),
            ..Message::default()
        };
        self.deliver_from_peer(&ConvId::group(group)?, op_user, tip);
        Ok(())
    }

    /// The logged-in user and the group `group_id`, for a group call.
    fn group_call<T>(
        &self,
        group_id: &str,
        call: impl FnOnce(&str, &mut (String, BTreeSet<String>)) -> ImResult<T>,
    ) -> ImResult<T> {
        let mut state = self.state();
        let me = state
            .logged_in
            .clone()
            .ok_or_else(|| ImError::new(ErrorCode::NotLogin, "not logged in"))?;
        let group = state
            .groups
            .get_mut(group_id)
            .ok_or_else(|| group_error(10010, "no such group"))?;
        call(&me, group)
    }

    async fn modify(&self, request: SendRequest) -> ImResult<ModifyOutcome> {
        self.begin(Call::Modify, Request::Modify(request.clone()))
            .await?;
        let mut state = self.state();
        let stored = state
            .roaming
            .get_mut(&request.conv)
            .and_then(|msgs| msgs.iter_mut().find(|m| m.msg_id == request.message.msg_id))
            .ok_or_else(|| not_found("message"))?;
        if stored.version.unwrap_or(0) != request.message.version.unwrap_or(0) {
            return Ok(ModifyOutcome {
                message: stored.clone(),
                conflict: true,
            });
        }
        stored.elem_array.clone_from(&request.message.elem_array);
        stored
            .cloud_custom_str
            .clone_from(&request.message.cloud_custom_str);
        stored.version = Some(stored.version.unwrap_or(0) + 1);
        let message = stored.clone();
        state.events.push(ServerEvent::Modified {
            conv: request.conv,
            message: message.clone(),
        });
        Ok(ModifyOutcome {
            message,
            conflict: false,
        })
    }
}

/// A conversation's summary as this server sees it for `user`: the newest
/// message, and the peers' messages after the read position that count as
/// unread (with the mentions among them).
fn summarize(
    conv: &ConvId,
    messages: &[Message],
    roamed: Option<&ConvRoamingState>,
    user: &str,
) -> ConvSummary {
    let (read_time, read_seq) = roamed.map_or((0, 0), |s| (s.read_time, s.read_seq));
    let is_group = conv.conv_type() == ConvType::Group;
    let last_message = messages
        .iter()
        .max_by_key(|m| (m.timestamp(), m.seq.unwrap_or(0)))
        .cloned();
    let unread: Vec<&Message> = messages
        .iter()
        .filter(|m| {
            m.sender.as_deref() != Some(user)
                && m.status != Some(MsgStatus::Revoked)
                && m.may_count_as_unread()
                && if is_group {
                    m.seq.unwrap_or(0) > read_seq
                } else {
                    m.timestamp() > read_time
                }
        })
        .collect();
    let mut mentions: Vec<GroupAtInfo> = unread
        .iter()
        .filter(|_| is_group)
        .filter_map(|m| {
            Some(GroupAtInfo {
                seq: m.seq,
                at_type: Some(m.mention_of(user)?),
                ..GroupAtInfo::default()
            })
        })
        .collect();
    mentions.reverse();
    ConvSummary {
        conv: conv.clone(),
        last_message,
        unread: unread.len() as u64,
        mentions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use im_model::ManualClock;

    fn transport() -> TestTransport {
        TestTransport::new(Arc::new(ManualClock::new(100)))
    }

    #[tokio::test]
    async fn test_sends_are_idempotent_by_message_id() {
        let t = transport();
        let conv = ConvId::c2c("bob").unwrap();
        let mut m = Message::text("hi");
        m.msg_id = Some("id-1".into());
        let first = t
            .send_message(SendRequest {
                conv: conv.clone(),
                message: m.clone(),
            })
            .await
            .unwrap();
        let again = t
            .send_message(SendRequest {
                conv: conv.clone(),
                message: m,
            })
            .await
            .unwrap();
        assert_eq!(first, again);
        let history = t
            .pull_history(HistoryRequest {
                conv,
                anchor: None,
                newer: false,
                time_range: None,
                count: 10,
            })
            .await
            .unwrap();
        assert_eq!(history.len(), 1, "stored once");
    }

    #[tokio::test]
    async fn test_scripted_failures_and_event_cursor() {
        let t = transport();
        t.fail_next(
            Call::PullEvents,
            ImError::new(ErrorCode::InvalidParameters, "boom"),
        );
        let pull = PullRequest {
            cursor: 0,
            limit: 2,
        };
        assert!(t.pull_events(pull).await.is_err());
        let conv = ConvId::group("g").unwrap();
        for i in 0..3 {
            t.deliver_from_peer(&conv, "p", Message::text(format!("{i}")));
        }
        let EventPage::Events(batch) = t.pull_events(pull).await.unwrap() else {
            panic!("events expected")
        };
        assert_eq!(
            (batch.events.len(), batch.next_cursor, batch.has_more),
            (2, 2, true)
        );
        let cursors: Vec<u64> = batch.events.iter().map(|e| e.cursor).collect();
        assert_eq!(cursors, vec![1, 2]);
        let EventPage::Events(rest) = t
            .pull_events(PullRequest { cursor: 2, ..pull })
            .await
            .unwrap()
        else {
            panic!("events expected")
        };
        assert_eq!((rest.events.len(), rest.has_more), (1, false));
        assert_eq!(rest.events[0].cursor, 3);
        assert_eq!(t.requests().len(), 3);
        // A server that dropped old events tells an old cursor to resync.
        t.compact_events(2);
        assert_eq!(t.pull_events(pull).await.unwrap(), EventPage::CursorTooOld);
        let EventPage::Events(after) = t
            .pull_events(PullRequest { cursor: 2, ..pull })
            .await
            .unwrap()
        else {
            panic!("events expected")
        };
        assert_eq!(after.events[0].cursor, 3);
    }

    #[tokio::test]
    async fn test_held_call_waits_for_its_gate() {
        let t = Arc::new(transport());
        let gate = t.hold_next(Call::ReportRead);
        let call = {
            let t = t.clone();
            tokio::spawn(async move { t.report_read(ReadReport { items: vec![] }).await })
        };
        tokio::task::yield_now().await;
        assert!(!call.is_finished());
        gate.release();
        call.await.unwrap().unwrap();
    }

    #[test]
    fn test_events_serialize_with_a_kind_tag() {
        let e = ServerEvent::PeerRead {
            conv: ConvId::c2c("a").unwrap(),
            read_time: 5,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"kind":"peer_read","conv":"c2c_a","read_time":5}"#
        );
    }
}
