//! What the C API's tests share: the reference server on 127.0.0.1
//! (port 0, data in a temporary folder), UserSigs for its key, an SDK
//! client in Rust playing the peer, and building a C program against the
//! library under test with the system C compiler.

#![allow(dead_code)]

pub mod entries;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

pub const APP: u64 = 1_400_000_011;
pub const KEY: &str = "im-ffi-test-key";

pub use im_server::testing::TestServer;

/// The reference server for these tests (their app and key).
pub fn start_server() -> TestServer {
    TestServer::start(APP, KEY)
}

/// `user` logged in through im-sdk over HTTP (a peer of the C program).
pub fn peer(
    server: &TestServer,
    user: &str,
) -> (im_sdk::Client, im_transport::http::HttpTransport) {
    let _entered = server.runtime.enter();
    let http = im_transport::http::HttpTransport::new(im_transport::http::HttpConfig::new(
        server.url.clone(),
    ))
    .unwrap();
    let client = im_sdk::Client::builder()
        .sdk_app_id(APP)
        .data_dir(server.dir.path().join("peers"))
        .transport(Arc::new(http.clone()))
        .build()
        .unwrap();
    server
        .runtime
        .block_on(client.login(user, &server.user_sig(user)))
        .unwrap();
    (client, http)
}

/// The folder holding `libImSDK.so` for this test build (the test binary
/// sits in `target/<profile>/deps`, beside the library).
pub fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    assert!(
        deps.join("libImSDK.so").exists(),
        "libImSDK.so is not in {}",
        deps.display()
    );
    deps
}

/// Compiles `tests/c/<name>.c` against the generated header and the
/// library, with warnings as errors; returns the program's path.
pub fn compile(name: &str, out_dir: &Path, extra: &[&str]) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    compile_file(&crate_dir.join(format!("tests/c/{name}.c")), out_dir, extra)
}

/// Compiles one C file (see [`compile`]).
pub fn compile_file(source: &Path, out_dir: &Path, extra: &[&str]) -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = library_dir();
    let name = source.file_stem().unwrap().to_string_lossy().into_owned();
    let program = out_dir.join(&name);
    let output = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-g"])
        .args(extra)
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg("-I")
        .arg(crate_dir.join("tests/c"))
        .arg(source)
        .arg("-o")
        .arg(&program)
        .arg("-L")
        .arg(&lib)
        // RPATH, not RUNPATH: the library beside this test binary wins
        // over a stale copy on the LD_LIBRARY_PATH cargo sets.
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-Wl,--disable-new-dtags")
        .args(["-lImSDK", "-lpthread"])
        .output()
        .expect("a C compiler (cc) is needed: apt-get install gcc");
    assert!(
        output.status.success(),
        "compiling {name}.c failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    program
}

/// Runs a program, returning its output; fails the test with the output
/// when it exits non-zero.
pub fn run_ok(mut command: Command) -> Output {
    command.env("LD_LIBRARY_PATH", library_dir());
    let output = command.output().expect("running the C program");
    let text = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{text}",
        output.status
    );
    output
}

/// [`run_ok`], and `action` once, when the program creates `trigger` (a
/// C program asks its peer for something live this way).
pub fn run_ok_triggering(command: Command, trigger: &Path, action: impl FnOnce() + Send) -> Output {
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                if trigger.exists() {
                    action();
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        });
        let output = run_ok(command);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        watcher.join().unwrap();
        output
    })
}

/// Calling the library from Rust as a C app would: callbacks recorded by
/// the `user_data` key each call gets.
pub mod calls {
    use std::collections::HashMap;
    use std::ffi::{CStr, CString, c_char, c_int, c_void};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};
    use std::time::{Duration, Instant};

    /// One callback: code, desc, json.
    pub type Answer = (i32, String, String);

    /// Callbacks by key, and the signal that one arrived.
    type Answers = (Mutex<HashMap<usize, Vec<Answer>>>, Condvar);

    static ANSWERS: LazyLock<Answers> = LazyLock::new(Default::default);
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    /// One SDK per process: tests that use it take this lock.
    pub static SDK: Mutex<()> = Mutex::new(());

    /// A fresh `user_data` value.
    pub fn key() -> *const c_void {
        NEXT.fetch_add(1, Ordering::SeqCst) as *const c_void
    }

    fn text(p: *const c_char) -> String {
        assert!(!p.is_null(), "a callback string was NULL");
        // SAFETY: the library passes NUL-terminated strings valid for the call.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }

    /// The `TIMCommCallback` the tests pass.
    pub extern "C" fn record(
        code: i32,
        desc: *const c_char,
        json: *const c_char,
        ud: *const c_void,
    ) {
        let answer = (code, text(desc), text(json));
        let (map, cond) = &*ANSWERS;
        map.lock()
            .unwrap()
            .entry(ud as usize)
            .or_default()
            .push(answer);
        cond.notify_all();
    }

    /// How many times `key`'s callback ran so far.
    pub fn count(key: *const c_void) -> usize {
        ANSWERS
            .0
            .lock()
            .unwrap()
            .get(&(key as usize))
            .map_or(0, Vec::len)
    }

    /// Waits (at most 20 s) for `key`'s first callback.
    pub fn wait(key: *const c_void) -> Answer {
        let (map, cond) = &*ANSWERS;
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut guard = map.lock().unwrap();
        loop {
            if let Some(answer) = guard.get(&(key as usize)).and_then(|v| v.first()) {
                return answer.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no callback for call {key:?}");
            guard = cond.wait_timeout(guard, left).unwrap().0;
        }
    }

    /// Sends `json` to bob with `TIMMsgSendMessage`: the id the buffer held
    /// when the call returned, and the callback.
    pub fn send_to_bob(json: &str) -> (String, Answer) {
        let (text, k) = (c(json), key());
        let mut id = [0 as c_char; 128];
        // SAFETY: valid strings, a 128-byte buffer, the recording callback.
        let r = unsafe {
            ImSDK::api::message::TIMMsgSendMessage(
                c"bob".as_ptr(),
                1,
                text.as_ptr(),
                id.as_mut_ptr(),
                Some(record),
                k,
            )
        };
        assert_eq!(r, 0, "TIMMsgSendMessage");
        // SAFETY: the library wrote a NUL-terminated id (or "").
        let id = unsafe { CStr::from_ptr(id.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        (id, wait(k))
    }

    /// A C string (the test keeps it alive across the call).
    pub fn c(text: &str) -> CString {
        CString::new(text).unwrap()
    }

    static FIRST_SYNC_DONE: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    unsafe extern "C" fn on_first_sync(
        event: c_int,
        _json: *const c_char,
        _user_data: *const c_void,
    ) {
        if event == ImSDK::abi::TIMConvEvent::kTIMConvEvent_Finish as c_int {
            FIRST_SYNC_DONE.store(true, Ordering::SeqCst);
        }
    }

    /// The SDK initialised for `server` and logged in as `user`, its first
    /// sync finished; uninit on drop.
    pub struct Session {
        _lock: MutexGuard<'static, ()>,
        _dir: tempfile::TempDir,
    }

    impl Session {
        pub fn start(server: &super::TestServer, user: &str) -> Session {
            let lock = SDK
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let dir = tempfile::tempdir().unwrap();
            let config = c(&format!(
                "{{\"sdk_config_config_file_path\":\"{}\",\"sdk_config_server_url\":\"{}\"}}",
                dir.path().display(),
                server.url
            ));
            // SAFETY: a valid C string.
            let r = unsafe { ImSDK::api::manager::TIMInit(super::APP, config.as_ptr()) };
            assert_eq!(r, 0);
            let (id, sig) = (c(user), c(&server.user_sig(user)));
            // The first sync's end (kTIMConvEvent_Finish): what the test
            // then does is announced as new, not folded into the snapshot.
            FIRST_SYNC_DONE.store(false, Ordering::SeqCst);
            // SAFETY: a valid callback; NULL user data.
            unsafe {
                ImSDK::api::conversation::TIMSetConvEventCallback(
                    Some(on_first_sync),
                    std::ptr::null(),
                );
            }
            let k = key();
            // SAFETY: valid C strings and callback.
            let r = unsafe {
                ImSDK::api::manager::TIMLogin(id.as_ptr(), sig.as_ptr(), Some(record), k)
            };
            assert_eq!(r, 0);
            assert_eq!(wait(k).0, 0, "login");
            let deadline = Instant::now() + Duration::from_secs(20);
            while !FIRST_SYNC_DONE.load(Ordering::SeqCst) {
                assert!(Instant::now() < deadline, "the first sync did not finish");
                std::thread::sleep(Duration::from_millis(5));
            }
            // SAFETY: clearing the callback.
            unsafe {
                ImSDK::api::conversation::TIMSetConvEventCallback(None, std::ptr::null());
            }
            Session {
                _lock: lock,
                _dir: dir,
            }
        }
    }

    impl Drop for Session {
        fn drop(&mut self) {
            // SAFETY: no arguments.
            unsafe { ImSDK::api::manager::TIMUninit() };
        }
    }
}
