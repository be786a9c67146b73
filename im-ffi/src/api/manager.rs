//! TIMManager.h: init and uninit, login and logout, status, version,
//! server time, config, and the core notification callbacks (spec 1.1).

use std::ffi::{c_char, c_int, c_void};
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::abi::*;
use crate::args::{self, ID_BUFFER_BYTES, Sync, call, guard, refuse};
use crate::dispatch::Completion;
use crate::registry::{registry, slot};
use crate::sdk::{self, Settings};

/// The environment variable naming the server when TIMInit's config does
/// not (`sdk_config_server_url`): how an unchanged wrapper, which builds
/// TIMInit's config itself, is pointed at a server.
pub const SERVER_URL_ENV: &str = "IM_SERVER_URL";
/// The server used when neither the config nor the environment names one.
pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:8080";

/// TIMInit's JSON config (spec 3.18), plus this SDK's server key.
#[derive(Debug, Default, Deserialize)]
struct SdkConfig {
    /// Where the SDK keeps its data.
    #[serde(default)]
    sdk_config_config_file_path: Option<String>,
    /// Where the SDK writes its log.
    #[serde(default)]
    sdk_config_log_file_path: Option<String>,
    /// This SDK's key: `http://host:port` of the server.
    #[serde(default)]
    sdk_config_server_url: Option<String>,
}

/// The data folder when TIMInit names none: `$HOME/.im-sdk`, else
/// `im-sdk-data` in the working directory.
fn default_data_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".im-sdk"))
        .unwrap_or_else(|| PathBuf::from("im-sdk-data"))
}

/// The settings of a `TIMInit`, or why they cannot be used: a message
/// naming the setting that gave the server address and its value.
fn settings(sdk_app_id: u64, config: SdkConfig) -> Result<Settings, String> {
    let given = |path: Option<String>| path.filter(|p| !p.is_empty()).map(PathBuf::from);
    let data_dir = given(config.sdk_config_config_file_path).unwrap_or_else(default_data_dir);
    let log_dir = given(config.sdk_config_log_file_path).unwrap_or_else(|| data_dir.join("log"));
    let (setting, address) = match config.sdk_config_server_url.filter(|u| !u.is_empty()) {
        Some(url) => ("sdk_config_server_url", url),
        None => match std::env::var(SERVER_URL_ENV).ok().filter(|u| !u.is_empty()) {
            Some(url) => (SERVER_URL_ENV, url),
            None => ("the default server", DEFAULT_SERVER_URL.to_owned()),
        },
    };
    let settings = Settings {
        sdk_app_id,
        server_url: String::new(),
        data_dir,
        log_dir,
    };
    match im_transport::http::server_base_url(&address) {
        Ok(server_url) => Ok(Settings {
            server_url,
            ..settings
        }),
        Err(e) => {
            let why = format!(
                "TIMInit refused: {setting} = {address:?} is unusable: {}",
                e.message
            );
            say_init_refused(&settings, &why);
            Err(why)
        }
    }
}

/// Says why `TIMInit` refused where a developer looks, though the SDK did
/// not start (so its log file and the log callback are not running): on
/// standard error, appended to `im-sdk.log` in the log folder, and to the
/// `tracing` subscriber.
fn say_init_refused(settings: &Settings, why: &str) {
    use std::io::Write as _;

    tracing::error!("{why}");
    eprintln!("im-sdk: {why}");
    let appended = std::fs::create_dir_all(&settings.log_dir).and_then(|()| {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(settings.log_dir.join("im-sdk.log"))?;
        writeln!(file, "[E] {why}")
    });
    if let Err(e) = appended {
        eprintln!("im-sdk: cannot write {}: {e}", settings.log_dir.display());
    }
}

/// `int TIMInit(uint64_t sdk_app_id, const char* json_sdk_config);`
///
/// Starts the SDK. The config may be NULL or `""`. Besides Tencent's keys
/// it reads `sdk_config_server_url` (falling back to `IM_SERVER_URL`, then
/// `http://127.0.0.1:8080`), as `http://host:port` or `host:port`; an
/// unusable address returns `TIM_ERR_PARAM` with a line naming the setting
/// and the value (standard error and `im-sdk.log`). Missing folders are created. Calling it again
/// with the same SDKAppID does nothing.
///
/// # Safety
/// `json_sdk_config` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMInit(sdk_app_id: u64, json_sdk_config: *const c_char) -> c_int {
    call("TIMInit", || {
        if sdk_app_id == 0 {
            return Err(refuse(TIM_ERR_PARAM, "sdk_app_id is 0"));
        }
        // SAFETY: the caller's contract.
        let config: SdkConfig =
            unsafe { args::opt_json(json_sdk_config, "json_sdk_config") }?.unwrap_or_default();
        crate::log::install();
        let settings = settings(sdk_app_id, config).map_err(|why| refuse(TIM_ERR_PARAM, why))?;
        sdk::start(settings.clone()).map_err(|e| refuse(TIM_ERR_PARAM, e))?;
        // `start` created the folder; a file that cannot be opened leaves
        // the log callback as the only log.
        if let Err(e) = crate::log::open_file(&settings.log_dir) {
            tracing::warn!(dir = %settings.log_dir.display(), error = %e, "no log file");
        }
        Ok(())
    })
}

/// `int TIMUninit(void);`
///
/// Logs out, stops the SDK and returns once every callback posted before
/// has run: none runs after it returns. It may be called from a callback.
///
/// # Safety
/// None beyond the C ABI.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMUninit() -> c_int {
    call("TIMUninit", || {
        if !sdk::stop() {
            return Err(TIM_ERR_SDKUNINIT);
        }
        crate::log::close_file();
        Ok(())
    })
}

/// `const char* TIMGetSDKVersion(void);` The version; never NULL.
///
/// # Safety
/// None beyond the C ABI.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetSDKVersion() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// `uint64_t TIMGetServerTime();` Seconds since the epoch, by this
/// machine's clock (the reference server uses its own; keep both synced).
///
/// # Safety
/// None beyond the C ABI.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetServerTime() -> u64 {
    guard("TIMGetServerTime", 0, || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    })
}

/// `int TIMLogin(const char* user_id, const char* user_sig, TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// The strings are NULL or NUL-terminated; `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMLogin(
    user_id: *const c_char,
    user_sig: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMLogin", || {
        let sdk = sdk::current()?;
        // SAFETY: the caller's contract.
        let user_id = unsafe { args::text(user_id, "user_id") }?.to_owned();
        // SAFETY: the caller's contract.
        let user_sig = unsafe { args::text(user_sig, "user_sig") }?.to_owned();
        let client = sdk.client.clone();
        let mark = sdk.transition(true);
        sdk.spawn(Completion::new(cb, user_data), async move {
            let _mark = mark;
            client
                .login(&user_id, &user_sig)
                .await
                .map(|()| String::new())
        });
        Ok(())
    })
}

/// `int TIMLogout(TIMCommCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMLogout(cb: TIMCommCallback, user_data: *const c_void) -> c_int {
    call("TIMLogout", || {
        let sdk = sdk::current()?;
        let client = sdk.client.clone();
        let mark = sdk.transition(false);
        sdk.spawn(Completion::new(cb, user_data), async move {
            let _mark = mark;
            client.logout().await.map(|()| String::new())
        });
        Ok(())
    })
}

/// `int TIMGetLoginUserID(char* user_id_buffer);`
///
/// Writes the logged-in user's id (at most 127 bytes and a NUL) into a
/// buffer of at least 128 bytes; `TIM_ERR_NOTLOGIN` (and `""`) when no
/// one is logged in.
///
/// # Safety
/// `user_id_buffer` is NULL or writable for 128 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetLoginUserID(user_id_buffer: *mut c_char) -> c_int {
    call("TIMGetLoginUserID", || {
        if user_id_buffer.is_null() {
            return Err(refuse(TIM_ERR_PARAM, "user_id_buffer is NULL"));
        }
        let user = sdk::current()
            .inspect_err(|_| {
                // SAFETY: non-NULL, 128 bytes by the contract.
                unsafe { args::write_c_buffer(user_id_buffer, ID_BUFFER_BYTES, "") }
            })?
            .client
            .login_user_id();
        // SAFETY: non-NULL, 128 bytes by the contract.
        unsafe {
            args::write_c_buffer(
                user_id_buffer,
                ID_BUFFER_BYTES,
                user.as_deref().unwrap_or(""),
            )
        };
        user.map(|_| ()).ok_or(TIM_ERR_NOTLOGIN)
    })
}

/// `TIMLoginStatus TIMGetLoginStatus();` (`kTIMLoginStatus_UnLogined`
/// before `TIMInit`).
///
/// # Safety
/// None beyond the C ABI.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMGetLoginStatus() -> RawTIMLoginStatus {
    let unlogged = TIMLoginStatus::kTIMLoginStatus_UnLogined as c_int;
    guard("TIMGetLoginStatus", unlogged, || {
        sdk::current().map_or(unlogged, |sdk| sdk.login_status() as c_int)
    })
}

/// The config `TIMSetConfig` reports back, and what it last set.
static CONFIG: std::sync::Mutex<Option<Map<String, Value>>> = std::sync::Mutex::new(None);

fn level(value: &Value, key: &str) -> Sync<i32> {
    value
        .as_i64()
        .filter(|l| (0..=7).contains(l))
        .map(|l| l as i32)
        .ok_or_else(|| refuse(TIM_ERR_PARAM, format!("{key} must be a TIMLogLevel (0..7)")))
}

/// `int TIMSetConfig(const char* json_config, TIMCommCallback cb, const void* user_data);`
///
/// Applies the log levels (`set_config_log_level` for the file,
/// `set_config_callback_log_level` for the log callback) and keeps
/// `set_config_user_define_data` (at most 64 bytes), `set_config_user_config`
/// and `set_config_is_log_output_console` (this SDK does not print to a
/// console). Proxies are not supported: a config naming one fails through
/// `cb` with 7013 and changes nothing. `cb` may be NULL; it receives the
/// whole config.
///
/// # Safety
/// `json_config` is NULL or NUL-terminated; `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetConfig(
    json_config: *const c_char,
    cb: TIMCommCallback,
    user_data: *const c_void,
) -> c_int {
    call("TIMSetConfig", || {
        sdk::current()?;
        // SAFETY: the caller's contract.
        let given: Map<String, Value> = unsafe { args::json(json_config, "json_config") }?;
        if let Some(key) = given.keys().find(|k| k.ends_with("_proxy_info")) {
            if let Some(done) = Completion::new(cb, user_data) {
                done.finish(
                    ERR_SDK_INTERFACE_NOT_SUPPORT,
                    format!("{key}: proxies are not supported by this SDK"),
                    String::new(),
                );
            }
            return Ok(());
        }
        let (mut file, mut callback) = (None, None);
        for (key, value) in &given {
            match key.as_str() {
                "set_config_log_level" => file = Some(level(value, key)?),
                "set_config_callback_log_level" => callback = Some(level(value, key)?),
                "set_config_is_log_output_console" if !value.is_boolean() => {
                    return Err(refuse(TIM_ERR_JSON, format!("{key} must be a bool")));
                }
                "set_config_user_define_data" => match value.as_str() {
                    Some(text) if text.len() <= 64 => {}
                    Some(_) => {
                        return Err(refuse(TIM_ERR_PARAM, format!("{key} is over 64 bytes")));
                    }
                    None => return Err(refuse(TIM_ERR_JSON, format!("{key} must be a string"))),
                },
                "set_config_user_config" if !value.is_object() => {
                    return Err(refuse(TIM_ERR_JSON, format!("{key} must be an object")));
                }
                _ => {}
            }
        }
        crate::log::set_levels(file, callback);
        let mut config = CONFIG
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = config.get_or_insert_with(|| {
            let mut defaults = Map::new();
            defaults.insert("set_config_is_log_output_console".into(), json!(false));
            defaults.insert("set_config_user_define_data".into(), json!(""));
            defaults
        });
        current.extend(given);
        let (file, callback) = crate::log::levels();
        current.insert("set_config_log_level".into(), file.into());
        current.insert("set_config_callback_log_level".into(), callback.into());
        let reply = Value::Object(current.clone()).to_string();
        drop(config);
        if let Some(done) = Completion::new(cb, user_data) {
            done.ok(reply);
        }
        Ok(())
    })
}

/// `void TIMSetNetworkStatusListenerCallback(TIMNetworkStatusListenerCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetNetworkStatusListenerCallback(
    cb: TIMNetworkStatusListenerCallback,
    user_data: *const c_void,
) {
    guard("TIMSetNetworkStatusListenerCallback", (), || {
        registry().network = slot(cb, user_data)
    });
}

/// `void TIMSetKickedOfflineCallback(TIMKickedOfflineCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetKickedOfflineCallback(
    cb: TIMKickedOfflineCallback,
    user_data: *const c_void,
) {
    guard("TIMSetKickedOfflineCallback", (), || {
        registry().kicked_offline = slot(cb, user_data)
    });
}

/// `void TIMSetUserSigExpiredCallback(TIMUserSigExpiredCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetUserSigExpiredCallback(
    cb: TIMUserSigExpiredCallback,
    user_data: *const c_void,
) {
    guard("TIMSetUserSigExpiredCallback", (), || {
        registry().user_sig_expired = slot(cb, user_data)
    });
}

/// `void TIMSetLogCallback(TIMLogCallback cb, const void* user_data);`
///
/// # Safety
/// `cb` is NULL or a valid callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn TIMSetLogCallback(cb: TIMLogCallback, user_data: *const c_void) {
    guard("TIMSetLogCallback", (), || {
        registry().log = slot(cb, user_data)
    });
}
