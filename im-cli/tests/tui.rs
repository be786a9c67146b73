//! The full-screen chat UI in a pseudo-terminal: keys are written to the
//! terminal, and what the program draws is read back through a terminal
//! emulator (vt100) and checked cell by cell.

mod support;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use support::{APP, KEY, PATIENCE, Plain, TestServer, bin};

const ROWS: u16 = 30;
const COLS: u16 = 110;

/// The UI running in a pseudo-terminal.
struct Terminal {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<Vec<u8>>,
    parser: vt100::Parser,
    // Kept open: closing the master ends the session.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Terminal {
    fn start(server: &TestServer, user: &str, dir: &std::path::Path) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut command = CommandBuilder::new(bin());
        command.args([
            "chat",
            "--user",
            user,
            "--server",
            &server.url,
            "--data-dir",
        ]);
        command.arg(dir.join(user));
        command.env("IM_SDK_APP_ID", APP.to_string());
        command.env("IM_SECRET_KEY", KEY);
        command.env("TERM", "xterm-256color");
        command.env_remove("RUST_LOG");
        let child = pair.slave.spawn_command(command).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (sender, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if sender.send(buffer[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Terminal {
            child,
            writer,
            output,
            parser: vt100::Parser::new(ROWS, COLS, 0),
            _master: pair.master,
        }
    }

    fn keys(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Types a line and presses Enter.
    fn line(&mut self, text: &str) {
        self.keys(text);
        self.keys("\r");
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Reads output until `ready` holds for the screen.
    fn wait(&mut self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !ready(self.parser.screen()) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .output
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(bytes) => self.parser.process(&bytes),
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(_) => panic!(
                    "the screen never showed {what}; it shows:\n{}",
                    self.screen()
                ),
            }
        }
    }

    fn wait_text(&mut self, text: &str) {
        self.wait(text, |s| s.contents().contains(text));
    }

    fn wait_gone(&mut self, text: &str) {
        self.wait(&format!("no {text}"), |s| !s.contents().contains(text));
    }

    /// The row and column where `text` starts on screen.
    fn find(&self, text: &str) -> Option<(u16, u16)> {
        let screen = self.parser.screen();
        for row in 0..ROWS {
            let line = screen.contents_between(row, 0, row, COLS);
            if let Some(byte) = line.find(text) {
                // Columns count cells; wide characters take two.
                let col: usize = line[..byte]
                    .chars()
                    .map(|c| {
                        if c.len_utf8() >= 3 && c > '\u{2e80}' {
                            2
                        } else {
                            1
                        }
                    })
                    .sum();
                return Some((row, col as u16));
            }
        }
        None
    }

    fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + PATIENCE;
        loop {
            while let Ok(bytes) = self.output.try_recv() {
                self.parser.process(&bytes);
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(Instant::now() < deadline, "the UI did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const CTRL_C: &str = "\x03";

#[test]
fn test_the_full_screen_ui_lists_opens_organizes_searches_and_updates_live() {
    let server = support::start_server();
    let dir = tempfile::tempdir().unwrap();
    // bob writes first: a C2C message and a group.
    let mut bob = Plain::start(&server, "bob", dir.path());
    bob.run("/open alice");
    bob.run("明天一起吃饭？");
    bob.run("/group create team alice");
    bob.run("/open group:team");
    bob.run("hello team");

    let mut ui = Terminal::start(&server, "alice", dir.path());
    ui.wait_text("alice · connected");
    ui.wait_text("group:team (2)");
    ui.wait_text("c2c:bob (1)");

    // ↓ opens the first conversation (the newest: the group); ↓ again the
    // next. Opening reads it: the badge goes.
    ui.keys(DOWN);
    ui.wait_text("bob: hello team");
    ui.keys(DOWN);
    ui.wait_text("bob: 明天一起吃饭？");
    ui.wait_gone("c2c:bob (1)");

    // Organizing the open conversation.
    ui.line("/pin");
    ui.wait_text("^ c2c:bob");
    ui.line("/mark star");
    ui.wait_text("c2c:bob {star}");
    ui.line("/folder new Friends");
    ui.wait_text("All | Friends");

    // A draft is kept when switching away, and comes back.
    ui.keys("see you at noon");
    ui.keys(DOWN);
    ui.wait_text("bob: hello team");
    ui.wait_text("c2c:bob {star} [draft]");
    ui.keys(UP);
    ui.wait_text("> see you at noon");
    ui.keys("\x15"); // Ctrl-U clears the input.
    ui.wait_gone("> see you at noon");

    // Tabs: the Friends folder holds only bob.
    ui.keys("\t");
    ui.wait("the Friends tab without the group", |s| {
        !s.contents().contains("group:team (") && !s.contents().contains("  group:team")
    });
    ui.keys("\t");

    // Search: the hit is highlighted (yellow cells) in the overlay.
    ui.line("/search 饭");
    ui.wait_text("Search: 饭");
    ui.wait_text("1 hit(s)");
    let (row, col) = ui.find("饭？").expect("the hit is on screen");
    let cell = ui.parser.screen().cell(row, col).unwrap();
    assert_eq!(cell.contents(), "饭");
    assert_ne!(
        cell.bgcolor(),
        vt100::Color::Default,
        "the match is highlighted"
    );
    let (row, col) = ui.find("吃").unwrap();
    assert_eq!(
        ui.parser.screen().cell(row, col).unwrap().bgcolor(),
        vt100::Color::Default,
        "the rest of the text is not"
    );
    ui.keys("\x1b");
    ui.wait_gone("Search: 饭");

    // Live: bob's new message appears in the open conversation.
    bob.run("/open alice");
    bob.run("are you there?");
    ui.wait_text("bob: are you there?");

    // A bad command says why, and keeps the line for fixing.
    ui.line("/frob");
    ui.wait_text("unknown command /frob");
    ui.keys("\x15");

    ui.keys(CTRL_C);
    assert_eq!(ui.exit_code(), 0);
    assert!(
        !ui.parser.screen().alternate_screen(),
        "the terminal is restored"
    );
}
