//! The full-screen chat UI (ratatui on crossterm).
//!
//! One loop owns the terminal: it draws [`screen::Screen`], then waits for
//! a key (read on a thread of its own, since crossterm's reads block) or
//! an SDK event. A command runs to completion before the next key is
//! taken, but the screen keeps drawing meanwhile, so an upload's progress
//! bar moves; events that arrive during it are applied after it.

mod screen;
mod view;

use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use im_model::ConvId;
use im_msg::MsgEvent;
use im_sdk::SdkEvent;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyEvent};
use tokio::sync::mpsc;

use super::command::Command;
use super::core::{Chat, Reply};
use screen::{Action, Screen};

type Events = Pin<Box<dyn Stream<Item = SdkEvent> + Send>>;

/// Runs until the user quits or the session ends.
///
/// # Errors
/// The terminal cannot be set up or drawn on.
pub async fn run(mut chat: Chat, mut events: Events) -> Result<(), String> {
    let mut terminal = ratatui::try_init().map_err(|e| format!("cannot use the terminal: {e}"))?;
    let keys = spawn_key_reader();
    let outcome = ui_loop(&mut terminal, &mut chat, &mut events, keys).await;
    ratatui::restore();
    outcome
}

/// What the terminal tells the loop.
enum Input {
    /// A key.
    Key(KeyEvent),
    /// The window changed size: redraw.
    Resize,
}

/// Reads keys (and size changes) on a thread and forwards them; it ends
/// when the receiver is dropped (it notices within one poll interval).
fn spawn_key_reader() -> mpsc::Receiver<Input> {
    let (sender, receiver) = mpsc::channel(64);
    std::thread::spawn(move || {
        while !sender.is_closed() {
            match event::poll(Duration::from_millis(100)) {
                Ok(true) => match event::read() {
                    Ok(Event::Key(key)) => {
                        if sender.blocking_send(Input::Key(key)).is_err() {
                            return;
                        }
                    }
                    Ok(Event::Resize(..)) => {
                        if sender.blocking_send(Input::Resize).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return,
                },
                Ok(false) => {}
                Err(_) => return,
            }
        }
    });
    receiver
}

fn redraw(terminal: &mut DefaultTerminal, screen: &Screen) -> Result<(), String> {
    terminal
        .draw(|frame| view::draw(frame, screen))
        .map(|_| ())
        .map_err(|e| format!("cannot draw: {e}"))
}

async fn ui_loop(
    terminal: &mut DefaultTerminal,
    chat: &mut Chat,
    events: &mut Events,
    mut keys: mpsc::Receiver<Input>,
) -> Result<(), String> {
    let mut screen = Screen::new(chat);
    loop {
        redraw(terminal, &screen)?;
        tokio::select! {
            input = keys.recv() => {
                let key = match input {
                    None => return Ok(()),
                    // The loop redraws at the top, at the new size.
                    Some(Input::Resize) => continue,
                    Some(Input::Key(key)) => key,
                };
                match screen.on_key(key) {
                    Action::None => {}
                    Action::Quit => return Ok(()),
                    Action::Execute(command) => {
                        if execute(terminal, chat, &mut screen, events, command).await? {
                            return Ok(());
                        }
                    }
                    Action::Switch(conv) => switch(chat, &mut screen, conv).await,
                    Action::LoadOlder => {
                        match chat.load_older().await {
                            Ok(n) => screen.status = format!("loaded {n} older message(s)"),
                            Err(e) => screen.status = e,
                        }
                        screen.copy_from(chat);
                    }
                }
            }
            event = events.next() => {
                let Some(event) = event else { return Ok(()) };
                if let Some(ended) = apply(chat, &mut screen, &event).await {
                    return Err(ended);
                }
            }
        }
    }
}

/// Runs a command, drawing progress while it runs; true when it quits.
async fn execute(
    terminal: &mut DefaultTerminal,
    chat: &mut Chat,
    screen: &mut Screen,
    events: &mut Events,
    command: Command,
) -> Result<bool, String> {
    let mut queued = Vec::new();
    let reply = {
        let running = chat.execute(command.clone());
        tokio::pin!(running);
        loop {
            tokio::select! {
                reply = &mut running => break reply,
                event = events.next() => {
                    let Some(event) = event else { continue };
                    screen.absorb(&event);
                    queued.push(event);
                    redraw(terminal, screen)?;
                }
            }
        }
    };
    screen.upload = None;
    match reply {
        Reply::Quit => return Ok(true),
        Reply::Lines(lines) => {
            screen.copy_from(chat);
            screen.show_reply(&command, lines, chat);
        }
    }
    for event in queued {
        if let Some(ended) = apply(chat, screen, &event).await {
            return Err(ended);
        }
    }
    if let Command::Jump(n) = command {
        screen.focus = chat
            .hits
            .get(n - 1)
            .and_then(|hit| hit.message.msg_id.clone());
    }
    if matches!(command, Command::Open(_) | Command::Jump(_)) {
        read_open(chat, screen).await;
        screen.input = chat.draft_text().unwrap_or_default();
    }
    Ok(false)
}

/// Switches conversations: the input becomes the draft of the one left,
/// the new one's draft becomes the input, and the new one is read.
async fn switch(chat: &mut Chat, screen: &mut Screen, conv: ConvId) {
    let left = std::mem::take(&mut screen.input);
    if let Err(e) = chat.keep_draft(&left).await {
        screen.status = e;
    }
    let name = crate::render::conv_name(Some(conv.conv_type()), conv.peer());
    match chat.open(conv).await {
        Ok(()) => {
            screen.status = format!("{name} · ↑↓ conversations · Tab folders · PgUp older · /help");
            screen.overlay = None;
            read_open(chat, screen).await;
            screen.input = chat.draft_text().unwrap_or_default();
        }
        Err(e) => screen.status = e,
    }
    screen.copy_from(chat);
}

/// Reports the open conversation read when it has unread messages: the
/// user is looking at it.
async fn read_open(chat: &mut Chat, screen: &mut Screen) {
    if chat
        .open_info()
        .is_some_and(|c| c.unread_num.unwrap_or(0) > 0)
        && let Reply::Lines(lines) = chat.execute(Command::Read).await
        && lines.first().is_some_and(|l| l.starts_with("error"))
    {
        screen.status = lines.join(" ");
    }
    screen.copy_from(chat);
}

/// Applies an SDK event; the reason when it ended the session.
async fn apply(chat: &mut Chat, screen: &mut Screen, event: &SdkEvent) -> Option<String> {
    screen.absorb(event);
    let lines = chat.on_event(event).await;
    if let Some(last) = lines.last() {
        screen.status = last.trim_start_matches(['<', '*', ' ']).to_owned();
    }
    let into_open = match event {
        SdkEvent::Message(MsgEvent::NewMessages(list)) => list.iter().any(|m| {
            chat.open.as_ref().is_some_and(|o| {
                Some(o.peer()) == m.conv_id.as_deref() && Some(o.conv_type()) == m.conv_type
            }) && m.is_from_self != Some(true)
        }),
        _ => false,
    };
    if into_open {
        read_open(chat, screen).await;
    }
    screen.copy_from(chat);
    match event {
        SdkEvent::KickedOffline | SdkEvent::UserSigExpired => Some(lines.join(" ")),
        _ => None,
    }
}
