//! What the full-screen UI shows and how keys change it. It holds a copy
//! of the chat state, so the screen can be drawn while a command (an
//! upload, say) still holds the state.

use im_model::message::{Message, SearchMatchRange};
use im_model::{ConvId, ConvInfo};
use im_msg::MsgEvent;
use im_sdk::{NetworkStatus, SdkEvent};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::chat::command::{Command, HELP};
use crate::chat::core::{Chat, in_folder};
use crate::render;

/// What a key asks the loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing beyond redrawing.
    None,
    /// Run a command typed on the input line.
    Execute(Command),
    /// Switch to a conversation, keeping the input as the draft of the one
    /// left and taking the new one's draft into the input.
    Switch(ConvId),
    /// Load an older page of history.
    LoadOlder,
    /// Leave.
    Quit,
}

/// A panel drawn over the history: search hits, help, a listing.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// Its title.
    pub title: String,
    /// Its lines, each with the byte ranges to highlight.
    pub lines: Vec<(String, Vec<(usize, usize)>)>,
}

/// The UI state.
#[derive(Debug, Default)]
pub struct Screen {
    /// The user.
    pub user: String,
    /// Conversations in list order.
    pub convs: Vec<ConvInfo>,
    /// Folder names; the tabs are "All" and these.
    pub folders: Vec<String>,
    /// The selected tab: 0 is All.
    pub tab: usize,
    /// The open conversation.
    pub open: Option<ConvId>,
    /// Its loaded history, oldest first.
    pub history: Vec<Message>,
    /// Whether older history may remain.
    pub more_history: bool,
    /// Lines scrolled up from the newest message.
    pub scroll: usize,
    /// A message to show and mark (a search hit jumped to), by id.
    pub focus: Option<String>,
    /// The input line.
    pub input: String,
    /// The last reply or notice.
    pub status: String,
    /// An overlay panel.
    pub overlay: Option<Overlay>,
    /// The network.
    pub network: Option<NetworkStatus>,
    /// Until the first sync finished.
    pub syncing: bool,
    /// The first sync's progress: (done, total) events.
    pub sync_progress: Option<(u64, u64)>,
    /// An upload in flight: (current, total) bytes.
    pub upload: Option<(u64, u64)>,
}

impl Screen {
    /// A screen for `chat`'s user.
    pub fn new(chat: &Chat) -> Screen {
        let mut screen = Screen {
            user: chat.user().to_owned(),
            syncing: true,
            status: "type /help for the commands".into(),
            ..Screen::default()
        };
        screen.copy_from(chat);
        screen
    }

    /// Takes the chat's current state.
    pub fn copy_from(&mut self, chat: &Chat) {
        let opened_other = self.open != chat.open;
        self.convs = chat.convs.clone();
        self.folders = chat.folders.clone();
        if self.tab > self.folders.len() {
            self.tab = 0;
        }
        self.open = chat.open.clone();
        self.history = chat.history.clone();
        self.more_history = chat.more_history;
        self.network = Some(chat.network);
        if opened_other {
            self.scroll = 0;
            self.focus = None;
        }
    }

    /// Notes what an event says about progress and status (the rest is
    /// applied to the chat state by the loop).
    pub fn absorb(&mut self, event: &SdkEvent) {
        match event {
            SdkEvent::SyncFinished => self.syncing = false,
            SdkEvent::SyncProgress { done, total } => self.sync_progress = Some((*done, *total)),
            SdkEvent::Network(status) => self.network = Some(*status),
            SdkEvent::Message(MsgEvent::UploadProgress { current, total, .. }) => {
                self.upload = (current < total).then_some((*current, *total));
            }
            _ => {}
        }
    }

    /// The conversations of the selected tab.
    pub fn shown(&self) -> Vec<&ConvInfo> {
        match self.tab.checked_sub(1).and_then(|i| self.folders.get(i)) {
            Some(folder) => self.convs.iter().filter(|c| in_folder(c, folder)).collect(),
            None => self.convs.iter().collect(),
        }
    }

    /// Which shown conversation is open.
    pub fn selected(&self) -> Option<usize> {
        let open = self.open.as_ref()?;
        self.shown().iter().position(|c| {
            c.conv_id.as_deref() == Some(open.peer()) && c.conv_type == Some(open.conv_type())
        })
    }

    /// Shows a command's reply: one line in the status bar, several (or
    /// search hits) in an overlay.
    pub fn show_reply(&mut self, command: &Command, lines: Vec<String>, chat: &Chat) {
        match command {
            Command::Search { keywords, all } => {
                let joiner = if *all { " AND " } else { " OR " };
                let lines = chat
                    .hits
                    .iter()
                    .enumerate()
                    .map(|(i, hit)| hit_line(i + 1, &hit.message, &hit.ranges))
                    .collect::<Vec<_>>();
                self.status = format!("{} hit(s); /jump <n> opens one, Esc closes", lines.len());
                self.overlay = Some(Overlay {
                    title: format!("Search: {}", keywords.join(joiner)),
                    lines,
                });
            }
            Command::Help => {
                self.overlay = Some(Overlay {
                    title: "Commands (Esc closes)".into(),
                    lines: HELP.iter().map(|h| ((*h).to_owned(), Vec::new())).collect(),
                });
            }
            Command::List(_) | Command::Group(_) if lines.len() > 1 => {
                self.overlay = Some(Overlay {
                    title: "Output (Esc closes)".into(),
                    lines: lines.into_iter().map(|l| (l, Vec::new())).collect(),
                });
            }
            // Opening shows the history itself; the first line says what.
            _ => {
                if matches!(command, Command::Jump(_) | Command::Open(_)) {
                    self.overlay = None;
                }
                self.status = lines.into_iter().next().unwrap_or_default();
            }
        }
    }

    /// What a key does.
    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c' | 'd') if ctrl => Action::Quit,
            KeyCode::Char('u') if ctrl => {
                self.input.clear();
                Action::None
            }
            KeyCode::Char(c) if !ctrl => {
                self.input.push(c);
                Action::None
            }
            KeyCode::Backspace => {
                self.input.pop();
                Action::None
            }
            KeyCode::Esc => {
                self.overlay = None;
                Action::None
            }
            KeyCode::Enter => {
                let line = std::mem::take(&mut self.input);
                match Command::parse(&line) {
                    Ok(Some(command)) => Action::Execute(command),
                    Ok(None) => Action::None,
                    Err(usage) => {
                        self.input = line;
                        self.status = format!("error: {usage}");
                        Action::None
                    }
                }
            }
            KeyCode::Up | KeyCode::Down => self.step_selection(key.code == KeyCode::Up),
            KeyCode::Tab | KeyCode::BackTab => {
                let tabs = self.folders.len() + 1;
                self.tab = if key.code == KeyCode::Tab {
                    (self.tab + 1) % tabs
                } else {
                    (self.tab + tabs - 1) % tabs
                };
                Action::None
            }
            KeyCode::PageUp => {
                self.focus = None;
                let limit = self.history.len().saturating_sub(1);
                if self.scroll >= limit && self.more_history {
                    return Action::LoadOlder;
                }
                self.scroll = (self.scroll + 10).min(limit);
                Action::None
            }
            KeyCode::PageDown => {
                self.focus = None;
                self.scroll = self.scroll.saturating_sub(10);
                Action::None
            }
            _ => Action::None,
        }
    }

    fn step_selection(&mut self, up: bool) -> Action {
        let shown = self.shown();
        if shown.is_empty() {
            return Action::None;
        }
        let next = match self.selected() {
            None => 0,
            Some(i) if up => i.saturating_sub(1),
            Some(i) => (i + 1).min(shown.len() - 1),
        };
        let conv = shown[next];
        let id = ConvId::new(
            conv.conv_type.unwrap_or(im_model::ConvType::C2C),
            conv.conv_id.clone().unwrap_or_default(),
        );
        match id {
            Ok(id) if Some(&id) != self.open.as_ref() => Action::Switch(id),
            _ => Action::None,
        }
    }
}

/// A search hit as an overlay line: `n conv sender: text`, with the
/// match ranges moved to where the text starts in the line.
fn hit_line(
    n: usize,
    message: &Message,
    ranges: &[SearchMatchRange],
) -> (String, Vec<(usize, usize)>) {
    let conv = render::conv_name(
        message.conv_type,
        message.conv_id.as_deref().unwrap_or_default(),
    );
    let prefix = format!("{n:>2} {conv} {}: ", render::sender(message));
    let (line, spans) = render::matched_text(message, ranges);
    let spans = spans
        .into_iter()
        .map(|(start, end)| (prefix.len() + start, prefix.len() + end))
        .collect();
    (prefix + &line, spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn conv(peer: &str, folders: &[&str]) -> ConvInfo {
        ConvInfo {
            conv_id: Some(peer.into()),
            conv_type: Some(im_model::ConvType::C2C),
            conversation_group_array: Some(folders.iter().map(|f| (*f).to_owned()).collect()),
            ..ConvInfo::default()
        }
    }

    #[test]
    fn test_typing_then_enter_parses_the_line() {
        let mut screen = Screen::default();
        for c in "/pin".chars() {
            assert_eq!(screen.on_key(key(KeyCode::Char(c))), Action::None);
        }
        assert_eq!(
            screen.on_key(key(KeyCode::Enter)),
            Action::Execute(Command::Pin(true))
        );
        assert!(screen.input.is_empty());
        for c in "/nope".chars() {
            screen.on_key(key(KeyCode::Char(c)));
        }
        assert_eq!(screen.on_key(key(KeyCode::Enter)), Action::None);
        assert_eq!(screen.input, "/nope", "a bad line stays to be fixed");
        assert_eq!(
            screen.status,
            "error: unknown command /nope; /help lists them"
        );
    }

    #[test]
    fn test_arrows_switch_within_the_tab_and_tabs_cycle() {
        let mut screen = Screen {
            convs: vec![
                conv("bob", &["Work"]),
                conv("carol", &[]),
                conv("dave", &["Work"]),
            ],
            folders: vec!["Work".into()],
            ..Screen::default()
        };
        assert_eq!(
            screen.on_key(key(KeyCode::Down)),
            Action::Switch(ConvId::c2c("bob").unwrap())
        );
        screen.open = Some(ConvId::c2c("bob").unwrap());
        assert_eq!(
            screen.on_key(key(KeyCode::Down)),
            Action::Switch(ConvId::c2c("carol").unwrap())
        );
        screen.on_key(key(KeyCode::Tab));
        assert_eq!(screen.tab, 1);
        assert_eq!(screen.shown().len(), 2, "the Work tab shows bob and dave");
        assert_eq!(
            screen.on_key(key(KeyCode::Down)),
            Action::Switch(ConvId::c2c("dave").unwrap())
        );
        screen.on_key(key(KeyCode::Tab));
        assert_eq!(screen.tab, 0, "tabs wrap around");
        assert_eq!(
            screen.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Action::Quit
        );
    }

    #[test]
    fn test_page_up_loads_older_at_the_top() {
        let mut screen = Screen {
            history: vec![Message::text("a"), Message::text("b")],
            more_history: true,
            ..Screen::default()
        };
        assert_eq!(screen.on_key(key(KeyCode::PageUp)), Action::None);
        assert_eq!(screen.scroll, 1);
        assert_eq!(screen.on_key(key(KeyCode::PageUp)), Action::LoadOlder);
    }

    #[test]
    fn test_hit_lines_shift_ranges_past_the_prefix() {
        let mut message = Message::text("吃饭\nlunch");
        message.conv_id = Some("bob".into());
        message.sender = Some("bob".into());
        let range = SearchMatchRange {
            elem_index: Some(0),
            key: Some("text_elem_content".into()),
            start: Some(3),
            end: Some(6),
            ..SearchMatchRange::default()
        };
        let (line, spans) = hit_line(1, &message, &[range]);
        assert_eq!(line, " 1 c2c:bob bob: 吃饭 lunch");
        assert_eq!(&line[spans[0].0..spans[0].1], "饭");
    }
}
