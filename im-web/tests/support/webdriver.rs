//! Just enough WebDriver (W3C, over HTTP/1.1) to drive Debian's headless
//! Chromium through chromedriver: start a session, open a page, run an
//! async script and read what it returned.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A chromedriver process on a free port; killed on drop.
pub struct Driver {
    port: u16,
    child: Child,
}

/// A browser session; closed on drop.
pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    /// Starts chromedriver (`CHROMEDRIVER`, default `/usr/bin/chromedriver`).
    pub fn start() -> Driver {
        let program =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {program} (Debian: apt-get install chromium chromium-driver): {e}"
                )
            });
        let driver = Driver { port, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok((200, status)) = driver.request("GET", "/status", None)
                && status["value"]["ready"] == true
            {
                return driver;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not get ready");
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> std::io::Result<(u16, Value)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(180)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let mut bytes = Vec::new();
        match length {
            Some(n) => {
                bytes.resize(n, 0);
                reader.read_exact(&mut bytes)?;
            }
            None => {
                reader.read_to_end(&mut bytes)?;
            }
        }
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    /// A headless Chromium session keeping its profile in `profile` (the
    /// same folder again is the same browser, restarted).
    pub fn session(&self, profile: &Path) -> Session<'_> {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": binary, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let (status, answer) = self
            .request("POST", "/session", Some(&capabilities))
            .expect("chromedriver answers");
        assert_eq!(status, 200, "new session: {answer}");
        let id = answer["value"]["sessionId"].as_str().unwrap().to_owned();
        let session = Session { driver: self, id };
        session.command(
            "POST",
            "timeouts",
            &json!({"script": 120_000, "pageLoad": 60_000}),
        );
        session
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session<'_> {
    fn command(&self, method: &str, what: &str, body: &Value) -> Value {
        let (status, answer) = self
            .driver
            .request(method, &format!("/session/{}/{what}", self.id), Some(body))
            .expect("chromedriver answers");
        assert_eq!(status, 200, "{what}: {answer}");
        answer["value"].clone()
    }

    /// Opens `url`.
    pub fn open(&self, url: &str) {
        self.command("POST", "url", &json!({"url": url}));
    }

    /// Runs `body` as an async function in the page, with `args` as
    /// `arguments[0..]`; its resolved value comes back (a rejection or a
    /// throw fails the test with what it said).
    pub fn run(&self, body: &str, args: &[Value]) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];\n\
             (async (...args) => {{ {body} }})(...Array.from(arguments).slice(0, -1))\n\
             .then((value) => done({{ok: value === undefined ? null : value}}),\n\
                   (error) => done({{error: error && error.stack ? error.stack : JSON.stringify(error)}}));"
        );
        let answer = self.command(
            "POST",
            "execute/async",
            &json!({"script": script, "args": args}),
        );
        if let Some(error) = answer.get("error") {
            panic!(
                "the page failed: {}",
                error
                    .as_str()
                    .map_or_else(|| error.to_string(), str::to_owned)
            );
        }
        answer["ok"].clone()
    }

    /// The browser's console lines since the last call (workers' included).
    pub fn console(&self) -> Vec<String> {
        let entries = self.command("POST", "se/log", &json!({"type": "browser"}));
        entries
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|e| e["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The current tab's handle.
    pub fn tab(&self) -> String {
        let (status, current) = self
            .driver
            .request("GET", &format!("/session/{}/window", self.id), None)
            .expect("chromedriver answers");
        assert_eq!(status, 200, "window: {current}");
        current["value"].as_str().unwrap().to_owned()
    }

    /// Opens a new tab and switches to it; returns the tab left.
    pub fn new_tab(&self) -> String {
        let current = self.tab();
        let tab = self.command("POST", "window/new", &json!({"type": "tab"}));
        self.switch_to(tab["handle"].as_str().unwrap());
        current
    }

    /// Closes the current tab and switches to `back`.
    pub fn close_tab(&self, back: &str) {
        let (status, answer) = self
            .driver
            .request("DELETE", &format!("/session/{}/window", self.id), None)
            .expect("chromedriver answers");
        assert_eq!(status, 200, "close tab: {answer}");
        self.switch_to(back);
    }

    /// Switches to the tab `handle`.
    pub fn switch_to(&self, handle: &str) {
        self.command("POST", "window", &json!({"handle": handle}));
    }

    /// Ends the session (the browser quits).
    pub fn close(self) {}
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .request("DELETE", &format!("/session/{}", self.id), None);
    }
}
