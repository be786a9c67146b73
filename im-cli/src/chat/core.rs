//! The chat client's state and what each command does, independent of how
//! it is shown: the line mode prints the replies, the full-screen UI draws
//! the state. Everything goes through the SDK's public API.

use im_model::group_member::{GroupModifyMemberInfoParam, member_modify_flag};
use im_model::message::{FileElem, Message, MsgGetMsgListParam};
use im_model::wire::http::{CreateGroupRequest, HandlePendencyRequest};
use im_model::{ConvId, ConvInfo, ConvType, Draft, Elem, ImError, MsgStatus};
use im_msg::MsgEvent;
use im_sdk::{NetworkStatus, SdkEvent};

use super::command::{Command, FolderOp, GroupOp, HELP};
use crate::connect::Session;
use crate::render;
use crate::search::{self, Hit};

/// How many messages a history page holds.
pub const PAGE: u32 = 20;

/// What a command answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Lines to show.
    Lines(Vec<String>),
    /// The user asked to leave.
    Quit,
}

/// The signed-in user's view: conversations, folders, the open
/// conversation's history, the last search, the network.
#[derive(Debug)]
pub struct Chat {
    session: Session,
    user: String,
    server_url: String,
    /// Every conversation, in list order.
    pub convs: Vec<ConvInfo>,
    /// The folder (conversation group) names.
    pub folders: Vec<String>,
    /// The open conversation.
    pub open: Option<ConvId>,
    /// Its loaded messages, oldest first.
    pub history: Vec<Message>,
    /// Whether older messages may remain.
    pub more_history: bool,
    /// The last search's hits.
    pub hits: Vec<Hit>,
    /// The network as last reported.
    pub network: NetworkStatus,
}

fn fail(e: ImError) -> String {
    format!("error {}: {}", e.code(), e.message)
}

/// A one-line description of a conversation for line mode.
pub fn conv_line(conv: &ConvInfo) -> String {
    let last = conv
        .last_msg
        .as_ref()
        .map(|m| format!("{}: {}", render::sender(m), render::message_text(m)))
        .unwrap_or_default();
    let draft = conv
        .draft
        .as_ref()
        .and_then(|d| d.msg.as_ref())
        .map(render::message_text)
        .unwrap_or_default();
    format!(
        "{} pinned={} marks={} folders={} unread={} last={last:?} draft={draft:?}",
        render::conv_label(conv),
        if conv.is_pinned == Some(true) {
            "yes"
        } else {
            "no"
        },
        none_if_empty(render::marks_label(conv)),
        none_if_empty(render::folders_label(conv)),
        conv.unread_num.unwrap_or(0),
    )
}

fn none_if_empty(text: String) -> String {
    if text.is_empty() { "-".into() } else { text }
}

/// A message as a history line: `[n] HH:MM:SS sender: text`.
pub fn history_line(n: usize, message: &Message) -> String {
    format!(
        "[{n}] {} {}: {}",
        render::clock_label(message.timestamp()),
        render::sender(message),
        render::message_text(message)
    )
}

fn conv_of(message: &Message) -> String {
    render::conv_name(
        message.conv_type,
        message.conv_id.as_deref().unwrap_or_default(),
    )
}

impl Chat {
    /// The state of a logged-in session.
    ///
    /// # Errors
    /// The conversation list cannot be read.
    pub async fn new(session: Session, user: &str, server_url: &str) -> Result<Chat, String> {
        let mut chat = Chat {
            session,
            user: user.to_owned(),
            server_url: server_url.to_owned(),
            convs: Vec::new(),
            folders: Vec::new(),
            open: None,
            history: Vec::new(),
            more_history: false,
            hits: Vec::new(),
            network: NetworkStatus::Connected,
        };
        chat.refresh_lists().await?;
        Ok(chat)
    }

    /// The user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Re-reads the conversation list and the folders.
    ///
    /// # Errors
    /// The SDK refused (not logged in, storage).
    pub async fn refresh_lists(&mut self) -> Result<(), String> {
        let convs = self.session.client.conversations();
        self.convs = convs.conversation_list().await.map_err(fail)?;
        self.folders = convs.conversation_groups().await.map_err(fail)?;
        Ok(())
    }

    /// Re-reads the open conversation's newest messages, keeping as many
    /// as were loaded.
    async fn refresh_history(&mut self) -> Result<(), String> {
        let Some(conv) = self.open.clone() else {
            return Ok(());
        };
        let count = (self.history.len() as u32).clamp(PAGE, 10 * PAGE);
        let mut page = self.page(&conv, count, None).await?;
        self.more_history = page.len() as u32 == count;
        page.reverse();
        self.history = page;
        Ok(())
    }

    /// A page of `count` messages older than `before`, newest first: from
    /// the server (history is not copied to a device at its first sync;
    /// what a page brings is stored), or from this device alone when the
    /// server cannot be reached or no longer serves the group to us.
    async fn page(
        &self,
        conv: &ConvId,
        count: u32,
        before: Option<&Message>,
    ) -> Result<Vec<Message>, String> {
        let param = |ramble: bool| MsgGetMsgListParam {
            count: Some(count),
            last_msg: before.cloned(),
            is_ramble: Some(ramble),
            ..MsgGetMsgListParam::default()
        };
        let messages = self.session.client.messages();
        // A group left or dismissed keeps its conversation, read-only: its
        // history is what this device stored.
        let gone = |code: i32| {
            code == im_model::group::codes::PERMISSION_DENY
                || code == im_model::group::codes::NOT_FOUND
        };
        match messages.get_message_list(conv, &param(true)).await {
            Err(e) if e.code.is_transient() || gone(e.code()) => messages
                .get_message_list(conv, &param(false))
                .await
                .map_err(fail),
            other => other.map_err(fail),
        }
    }

    /// Loads one older page; how many messages came.
    ///
    /// # Errors
    /// No conversation is open, or the SDK refused.
    pub async fn load_older(&mut self) -> Result<usize, String> {
        let conv = self.open_conv()?;
        let Some(oldest) = self.history.first().cloned() else {
            return Ok(0);
        };
        let mut page = self.page(&conv, PAGE, Some(&oldest)).await?;
        self.more_history = page.len() as u32 == PAGE;
        let n = page.len();
        page.reverse();
        page.append(&mut self.history);
        self.history = page;
        Ok(n)
    }

    fn open_conv(&self) -> Result<ConvId, String> {
        self.open
            .clone()
            .ok_or_else(|| "no conversation is open: /open c2c:<user> or group:<id>".to_owned())
    }

    /// The open conversation's listing, if it is listed.
    pub fn open_info(&self) -> Option<&ConvInfo> {
        let open = self.open.as_ref()?;
        self.convs.iter().find(|c| {
            c.conv_id.as_deref() == Some(open.peer()) && c.conv_type == Some(open.conv_type())
        })
    }

    /// The open conversation's draft text.
    pub fn draft_text(&self) -> Option<String> {
        let draft = self.open_info()?.draft.as_ref()?.msg.as_ref()?;
        Some(render::message_text(draft))
    }

    /// Opens `conv`: loads its newest page.
    ///
    /// # Errors
    /// The SDK refused.
    pub async fn open(&mut self, conv: ConvId) -> Result<(), String> {
        self.open = Some(conv);
        self.history.clear();
        self.refresh_history().await
    }

    /// Keeps `text` as the open conversation's draft (clears it when
    /// empty), as a chat app does when the user switches away.
    ///
    /// # Errors
    /// The SDK refused.
    pub async fn keep_draft(&mut self, text: &str) -> Result<(), String> {
        let Some(conv) = self.open.clone() else {
            return Ok(());
        };
        let convs = self.session.client.conversations();
        let had = self.open_info().is_some_and(|c| c.has_draft == Some(true));
        if text.trim().is_empty() {
            if had {
                convs.cancel_draft(&conv).await.map_err(fail)?;
            }
        } else if self.draft_text().as_deref() != Some(text) {
            // A conversation is listed once it exists; a draft needs one.
            if self.open_info().is_none() {
                convs.create_conversation(&conv).await.map_err(fail)?;
            }
            let draft = Draft {
                msg: Some(Message::text(text)),
                ..Draft::default()
            };
            convs.set_draft(&conv, &draft).await.map_err(fail)?;
        }
        self.refresh_lists().await
    }

    /// Runs one command.
    pub async fn execute(&mut self, command: Command) -> Reply {
        match self.run(command).await {
            Ok(reply) => reply,
            Err(e) => Reply::Lines(vec![e]),
        }
    }

    async fn run(&mut self, command: Command) -> Result<Reply, String> {
        let lines = |lines: Vec<String>| Ok(Reply::Lines(lines));
        let convs = self.session.client.conversations();
        let msgs = self.session.client.messages();
        match command {
            Command::Send(text) => self.send(Message::text(text)).await,
            Command::File(path) => {
                let meta = std::fs::metadata(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                if !meta.is_file() {
                    return Err(format!("{} is not a file", path.display()));
                }
                let message = Message {
                    elem_array: Some(vec![Elem::File(FileElem {
                        file_path: Some(path.display().to_string()),
                        ..FileElem::default()
                    })]),
                    ..Message::default()
                };
                self.send(message).await
            }
            Command::Open(conv) => {
                self.open(conv.clone()).await?;
                let mut out = vec![format!(
                    "opened {}",
                    render::conv_name(Some(conv.conv_type()), conv.peer())
                )];
                out.extend(self.history_lines());
                lines(out)
            }
            Command::List(folder) => {
                self.refresh_lists().await?;
                let shown: Vec<String> = self
                    .convs
                    .iter()
                    .filter(|c| folder.as_ref().is_none_or(|f| in_folder(c, f)))
                    .map(conv_line)
                    .collect();
                if shown.is_empty() {
                    lines(vec!["no conversations".into()])
                } else {
                    lines(shown)
                }
            }
            Command::History => {
                self.open_conv()?;
                self.refresh_history().await?;
                lines(self.history_lines())
            }
            Command::More => {
                let n = self.load_older().await?;
                let mut out = vec![format!("loaded {n} older message(s)")];
                out.extend(self.history_lines());
                lines(out)
            }
            Command::Search { keywords, all } => self.search(keywords, all).await,
            Command::Jump(n) => {
                let hit = self.hits.get(n - 1).cloned().ok_or_else(|| {
                    format!("no search hit {n}: the last search had {}", self.hits.len())
                })?;
                self.open(hit.conv.clone()).await?;
                // Load older pages until the hit is in view.
                let wanted = hit.message.msg_id.clone();
                while !self.history.iter().any(|m| m.msg_id == wanted) && self.more_history {
                    if self.load_older().await? == 0 {
                        break;
                    }
                }
                let at = self.history.iter().position(|m| m.msg_id == wanted);
                let mut out = vec![format!(
                    "opened {} at {}",
                    render::conv_name(Some(hit.conv.conv_type()), hit.conv.peer()),
                    at.map_or("a message no longer stored".to_owned(), |i| format!(
                        "[{}]",
                        i + 1
                    ))
                )];
                out.extend(self.history_lines());
                lines(out)
            }
            Command::Pin(on) => {
                let conv = self.open_conv()?;
                convs.pin_conversation(&conv, on).await.map_err(fail)?;
                self.refresh_lists().await?;
                lines(vec![format!(
                    "{} {}",
                    if on { "pinned" } else { "unpinned" },
                    self.open_name()
                )])
            }
            Command::Mark { mark, on } => {
                let conv = self.open_conv()?;
                let results = convs
                    .mark_conversations(&[conv], mark, on)
                    .await
                    .map_err(fail)?;
                operation_results(&results)?;
                self.refresh_lists().await?;
                let name = render::mark_names(im_model::MarkSet::from_bits_retain(mark)).join(",");
                lines(vec![format!(
                    "{} {name} on {}",
                    if on { "marked" } else { "unmarked" },
                    self.open_name()
                )])
            }
            Command::Folder(op) => self.folder(op).await,
            Command::Draft(text) => {
                self.open_conv()?;
                self.keep_draft(text.as_deref().unwrap_or_default()).await?;
                lines(vec![match text {
                    Some(t) => format!("draft of {} kept: {t}", self.open_name()),
                    None => format!("draft of {} cleared", self.open_name()),
                }])
            }
            Command::Revoke(n) => {
                let conv = self.open_conv()?;
                self.refresh_history().await?;
                let target = match n {
                    Some(n) => self.history.get(n - 1).cloned().ok_or_else(|| {
                        format!("no message [{n}]: {} are shown", self.history.len())
                    })?,
                    None => self
                        .history
                        .iter()
                        .rev()
                        .find(|m| {
                            m.is_from_self == Some(true) && m.status != Some(MsgStatus::Revoked)
                        })
                        .cloned()
                        .ok_or("you sent nothing here to revoke")?,
                };
                msgs.revoke(&conv, &target).await.map_err(fail)?;
                self.refresh_history().await?;
                lines(vec![format!("revoked: {}", render::message_text(&target))])
            }
            Command::Read => {
                let conv = self.open_conv()?;
                msgs.report_read(&conv, None).await.map_err(fail)?;
                self.refresh_lists().await?;
                lines(vec![format!("{} read", self.open_name())])
            }
            Command::Group(op) => self.group(op).await,
            Command::Nick(name) => {
                let item = im_model::profile::UserProfileItem {
                    nick_name: Some(name.clone()),
                    ..Default::default()
                };
                self.session
                    .client
                    .profiles()
                    .modify_self_profile(&item)
                    .await
                    .map_err(fail)?;
                lines(vec![format!(
                    "your nickname is now {}",
                    render::one_line(&name)
                )])
            }
            Command::Status => lines(vec![format!(
                "logged in as {} on {}; network {}",
                self.user,
                self.server_url,
                network_label(self.network)
            )]),
            Command::Help => lines(HELP.iter().map(|h| (*h).to_owned()).collect()),
            Command::Quit => Ok(Reply::Quit),
        }
    }

    fn open_name(&self) -> String {
        self.open
            .as_ref()
            .map(|c| render::conv_name(Some(c.conv_type()), c.peer()))
            .unwrap_or_default()
    }

    /// The loaded history as numbered lines.
    pub fn history_lines(&self) -> Vec<String> {
        if self.history.is_empty() {
            return vec!["(no messages)".into()];
        }
        self.history
            .iter()
            .enumerate()
            .map(|(i, m)| history_line(i + 1, m))
            .collect()
    }

    async fn send(&mut self, message: Message) -> Result<Reply, String> {
        let conv = self.open_conv()?;
        let sent = self
            .session
            .client
            .messages()
            .send_message(&conv, &message)
            .await
            .map_err(fail)?;
        // A sent message clears the draft, as in Tencent's UIs.
        if self.open_info().is_some_and(|c| c.has_draft == Some(true)) {
            self.session
                .client
                .conversations()
                .cancel_draft(&conv)
                .await
                .map_err(fail)?;
        }
        self.refresh_lists().await?;
        self.refresh_history().await?;
        Ok(Reply::Lines(vec![format!(
            "sent to {}: {}",
            self.open_name(),
            render::message_text(&sent)
        )]))
    }

    async fn search(&mut self, keywords: Vec<String>, all: bool) -> Result<Reply, String> {
        let found = search::local(&self.session.client, keywords, all)
            .await
            .map_err(fail)?;
        self.hits = found.hits;
        let mut out = vec![format!(
            "{} hit(s) of {} in all",
            self.hits.len(),
            found.total
        )];
        for (i, hit) in self.hits.iter().enumerate() {
            out.push(format!(
                "hit {} {} {}: {}",
                i + 1,
                conv_of(&hit.message),
                render::sender(&hit.message),
                render::highlighted_text(&hit.message, &hit.ranges)
            ));
        }
        Ok(Reply::Lines(out))
    }

    async fn folder(&mut self, op: FolderOp) -> Result<Reply, String> {
        let convs = self.session.client.conversations();
        let line = match op {
            FolderOp::List => {
                self.refresh_lists().await?;
                if self.folders.is_empty() {
                    "no folders".to_owned()
                } else {
                    format!("folders: {}", self.folders.join(", "))
                }
            }
            FolderOp::New(name) => {
                let conv = self.open_conv()?;
                operation_results(
                    &convs
                        .create_conversation_group(&name, &[conv])
                        .await
                        .map_err(fail)?,
                )?;
                format!("folder {name} created with {}", self.open_name())
            }
            FolderOp::Add(name) => {
                let conv = self.open_conv()?;
                operation_results(
                    &convs
                        .add_conversations_to_group(&name, &[conv])
                        .await
                        .map_err(fail)?,
                )?;
                format!("{} added to {name}", self.open_name())
            }
            FolderOp::Remove(name) => {
                let conv = self.open_conv()?;
                operation_results(
                    &convs
                        .remove_conversations_from_group(&name, &[conv])
                        .await
                        .map_err(fail)?,
                )?;
                format!("{} removed from {name}", self.open_name())
            }
            FolderOp::Delete(name) => {
                convs.delete_conversation_group(&name).await.map_err(fail)?;
                format!("folder {name} deleted")
            }
            FolderOp::Rename(old, new) => {
                convs
                    .rename_conversation_group(&old, &new)
                    .await
                    .map_err(fail)?;
                format!("folder {old} renamed {new}")
            }
        };
        self.refresh_lists().await?;
        Ok(Reply::Lines(vec![line]))
    }

    async fn group(&mut self, op: GroupOp) -> Result<Reply, String> {
        let groups = self.session.client.groups();
        let line = match op {
            GroupOp::Create(id, members) => {
                groups
                    .create_group(&CreateGroupRequest {
                        group_id: id.clone(),
                        name: id.clone(),
                        members: members.clone(),
                        details: Default::default(),
                    })
                    .await
                    .map_err(fail)?;
                if members.is_empty() {
                    format!("group {id} created")
                } else {
                    format!("group {id} created with {}", members.join(", "))
                }
            }
            GroupOp::Add(id, users) => {
                let added = groups.add_members(&id, &users).await.map_err(fail)?;
                format!("added to {id}: {}", added.join(", "))
            }
            GroupOp::Members(id) => {
                let members = groups.members(&id).await.map_err(fail)?;
                let names: Vec<String> = members
                    .iter()
                    .map(|m| format!("{} ({:?})", m.user_id, m.role))
                    .collect();
                format!("members of {id}: {}", names.join(", "))
            }
            GroupOp::Info(id) => {
                let found = groups
                    .group_infos(std::slice::from_ref(&id))
                    .await
                    .map_err(fail)?;
                let result = found.into_iter().next().unwrap_or_default();
                match (result.code, result.info) {
                    (Some(0), Some(info)) => format!(
                        "{id}: {} ({} members, owner {}, {:?}){}",
                        render::one_line(info.group_name.as_deref().unwrap_or_default()),
                        info.member_num.unwrap_or(0),
                        info.owner_identifier.as_deref().unwrap_or("?"),
                        info.group_type.unwrap_or(im_model::GroupType::Public),
                        if info.is_shutup_all == Some(true) {
                            ", all muted"
                        } else {
                            ""
                        }
                    ),
                    (code, _) => format!(
                        "{id}: {} ({})",
                        result.desc.unwrap_or_default(),
                        code.unwrap_or(-1)
                    ),
                }
            }
            GroupOp::Rename(id, name) => {
                let param = im_model::group::GroupModifyInfoParam {
                    group_id: Some(id.clone()),
                    modify_flag: Some(i64::from(im_model::group::modify_flag::NAME)),
                    group_name: Some(name.clone()),
                    ..Default::default()
                };
                groups.modify_group_info(&param).await.map_err(fail)?;
                format!("group {id} is now {}", render::one_line(&name))
            }
            GroupOp::Dismiss(id) => {
                groups.dismiss_group(&id).await.map_err(fail)?;
                format!("group {id} dismissed")
            }
            GroupOp::Join(id, text) => {
                if groups.join(&id, &text).await.map_err(fail)? {
                    format!("asked to join {id}: its owner or an admin answers")
                } else {
                    format!("joined {id}")
                }
            }
            GroupOp::Leave(id) => {
                groups.quit(&id).await.map_err(fail)?;
                format!("left {id}")
            }
            GroupOp::Kick(id, users) => {
                let removed = groups.remove_members(&id, &users).await.map_err(fail)?;
                format!("removed from {id}: {}", removed.join(", "))
            }
            GroupOp::Role(id, user, admin) => {
                let role = if admin {
                    im_model::enums::GroupMemberRole::Admin
                } else {
                    im_model::enums::GroupMemberRole::Normal
                };
                let param = GroupModifyMemberInfoParam {
                    group_id: Some(id.clone()),
                    identifier: Some(user.clone()),
                    modify_flag: Some(member_modify_flag::MEMBER_ROLE),
                    member_role: Some(role.value()),
                    ..Default::default()
                };
                groups.modify_member(&param).await.map_err(fail)?;
                format!(
                    "{user} is now {} of {id}",
                    if admin { "an admin" } else { "a member" }
                )
            }
            GroupOp::Mute(id, user, seconds) => {
                let param = GroupModifyMemberInfoParam {
                    group_id: Some(id.clone()),
                    identifier: Some(user.clone()),
                    modify_flag: Some(member_modify_flag::SHUTUP_TIME),
                    shutup_time: Some(seconds),
                    ..Default::default()
                };
                groups.modify_member(&param).await.map_err(fail)?;
                if seconds == 0 {
                    format!("{user} may speak in {id} again")
                } else {
                    format!("{user} is muted in {id} for {seconds} s")
                }
            }
            GroupOp::Requests => {
                let listed = groups.pendencies(&Default::default()).await.map_err(fail)?;
                let open: Vec<String> = listed
                    .pendency_array
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.handled == Some(0))
                    .map(|p| {
                        format!(
                            "{} asks to join {}: {}",
                            p.from_identifier.unwrap_or_default(),
                            p.group_id.unwrap_or_default(),
                            render::one_line(p.apply_invite_msg.as_deref().unwrap_or_default())
                        )
                    })
                    .collect();
                if open.is_empty() {
                    "no join requests".to_owned()
                } else {
                    return Ok(Reply::Lines(open));
                }
            }
            GroupOp::Answer(id, user, accept) => {
                let request = HandlePendencyRequest {
                    group_id: id.clone(),
                    applicant: user.clone(),
                    accept,
                    message: String::new(),
                };
                groups.handle_pendency(&request).await.map_err(fail)?;
                let verb = if accept { "accepted" } else { "refused" };
                format!("{verb} {user} in {id}")
            }
        };
        Ok(Reply::Lines(vec![line]))
    }

    /// Applies an SDK event to the state; returns lines describing it.
    pub async fn on_event(&mut self, event: &SdkEvent) -> Vec<String> {
        let mut out = Vec::new();
        let mut touches_open = false;
        let open = self.open.clone();
        let is_open = |conv_id: Option<&str>, conv_type: Option<ConvType>| {
            open.as_ref()
                .is_some_and(|o| Some(o.peer()) == conv_id && Some(o.conv_type()) == conv_type)
        };
        match event {
            SdkEvent::Message(MsgEvent::NewMessages(list)) => {
                for m in list {
                    touches_open |= is_open(m.conv_id.as_deref(), m.conv_type);
                    out.push(format!(
                        "< {} {}: {}",
                        conv_of(m),
                        render::sender(m),
                        render::message_text(m)
                    ));
                }
            }
            SdkEvent::Message(MsgEvent::Revoked(list)) => {
                for r in list {
                    touches_open |= is_open(r.conv_id.as_deref(), r.conv_type);
                    out.push(format!(
                        "* {}: a message was revoked by {}",
                        render::conv_name(r.conv_type, r.conv_id.as_deref().unwrap_or_default()),
                        r.revoker_user_id.as_deref().unwrap_or("?")
                    ));
                }
            }
            SdkEvent::Message(MsgEvent::ReadReceipts(list)) => {
                for r in list {
                    touches_open |= is_open(r.conv_id.as_deref(), r.conv_type);
                    out.push(format!(
                        "* {}: read by the peer",
                        render::conv_name(r.conv_type, r.conv_id.as_deref().unwrap_or_default())
                    ));
                }
            }
            SdkEvent::Message(MsgEvent::Updated(list)) => {
                touches_open |= list
                    .iter()
                    .any(|m| is_open(m.conv_id.as_deref(), m.conv_type));
            }
            SdkEvent::Network(status) => {
                self.network = *status;
                out.push(format!("* network {}", network_label(*status)));
            }
            SdkEvent::SyncStarted => out.push("* syncing with the server".into()),
            SdkEvent::SyncFinished => out.push("* synced".into()),
            SdkEvent::SyncProgress { done, total } => {
                out.push(format!("* synced {done} of {total} events"))
            }
            SdkEvent::KickedOffline => {
                out.push("* kicked offline: this user logged in on another device".into());
            }
            SdkEvent::UserSigExpired => out.push("* the UserSig expired: log in again".into()),
            _ => {}
        }
        let result = async {
            self.refresh_lists().await?;
            if touches_open {
                self.refresh_history().await?;
            }
            Ok::<(), String>(())
        }
        .await;
        if let Err(e) = result {
            out.push(e);
        }
        out
    }
}

/// Whether a conversation is in folder `name`.
pub fn in_folder(conv: &ConvInfo, name: &str) -> bool {
    conv.conversation_group_array
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|g| g == name)
}

/// `connected`, `connecting`, `disconnected`.
pub fn network_label(status: NetworkStatus) -> &'static str {
    match status {
        NetworkStatus::Connected => "connected",
        NetworkStatus::Connecting => "connecting",
        NetworkStatus::Disconnected => "disconnected",
        _ => "unknown",
    }
}

/// A batch call's per-conversation results: an error for the first that
/// failed.
fn operation_results(results: &[im_model::ConversationOperationResult]) -> Result<(), String> {
    match results.iter().find(|r| r.result_code.unwrap_or(0) != 0) {
        Some(r) => Err(format!(
            "error {}: {}",
            r.result_code.unwrap_or(0),
            r.result_info.as_deref().unwrap_or_default()
        )),
        None => Ok(()),
    }
}
