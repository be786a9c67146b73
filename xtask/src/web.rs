//! `cargo xtask web`: the browser SDK and its chat page, built into
//! `target/web` (what `im-server --web-dir target/web` serves under
//! `/web/`).
//!
//! 1. `im-web` for `wasm32-unknown-unknown` with the size profile `web`;
//! 2. `wasm-bindgen --target web` (the CLI must match the crate's pinned
//!    0.2.130 exactly: `cargo install wasm-bindgen-cli --version =0.2.130`);
//! 3. the hand-written module (`index.js`, `index.d.ts`, `worker.js`,
//!    `package.json`) and the page (`im-web/page`) copied beside it.
//!
//! It prints the size of what a page downloads, raw and gzipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{project_root, run};

/// The wasm-bindgen version the crates pin (`=0.2.130`).
const WASM_BINDGEN: &str = "0.2.130";

/// Where the bundle goes.
pub fn out_dir() -> PathBuf {
    project_root().join("target/web")
}

/// Where cargo gets a standard library for `wasm32-unknown-unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WasmStd {
    /// The target's prebuilt std (`rustup target add wasm32-unknown-unknown`).
    Installed,
    /// Built from the toolchain's own source (`rustup component add
    /// rust-src`), for machines where the target cannot be downloaded:
    /// `-Zbuild-std`, which a stable toolchain accepts with
    /// `RUSTC_BOOTSTRAP=1`.
    FromSource,
}

/// The toolchain's answer to `rustc --print <what>` (for wasm32 when
/// `target` is set).
fn rustc_print(what: &str, target: bool) -> Option<PathBuf> {
    let mut cmd = Command::new("rustc");
    cmd.args(["--print", what]);
    if target {
        cmd.args(["--target", "wasm32-unknown-unknown"]);
    }
    let out = cmd.output().ok().filter(|o| o.status.success())?;
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Which std to use: `XTASK_WASM_STD` (`installed` or `source`) when
/// set, else the prebuilt one when it is installed, else the source one
/// when the toolchain has it.
fn wasm_std() -> Result<WasmStd, String> {
    match std::env::var("XTASK_WASM_STD").as_deref() {
        Ok("installed") => return Ok(WasmStd::Installed),
        Ok("source") => return Ok(WasmStd::FromSource),
        Ok(other) => {
            return Err(format!("XTASK_WASM_STD={other}: `installed` or `source`"));
        }
        Err(_) => {}
    }
    let installed = rustc_print("target-libdir", true)
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .is_some_and(|mut files| {
            files.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().starts_with("libstd-")))
        });
    if installed {
        return Ok(WasmStd::Installed);
    }
    let source = rustc_print("sysroot", false)
        .is_some_and(|root| root.join("lib/rustlib/src/rust/library/std").is_dir());
    if source {
        return Ok(WasmStd::FromSource);
    }
    Err("no standard library for wasm32-unknown-unknown: \
         `rustup target add wasm32-unknown-unknown`, or, where that cannot \
         download, `rustup component add rust-src` to build it from source"
        .into())
}

/// Runs `cargo <subcommand> <args>` for `wasm32-unknown-unknown` (the
/// caller passes `--target`), building std from source when the target's
/// own is not installed.
pub fn cargo_wasm(subcommand: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let mut all_args = vec![subcommand];
    let mut all_env = env.to_vec();
    if wasm_std()? == WasmStd::FromSource {
        eprintln!("(building std for wasm32 from the toolchain's source)");
        all_args.push("-Zbuild-std=std,panic_abort");
        all_env.push(("RUSTC_BOOTSTRAP", "1"));
    }
    all_args.extend_from_slice(args);
    run("cargo", &all_args, &all_env)
}

/// Builds the bundle.
pub fn build() -> Result<(), String> {
    check_wasm_bindgen()?;
    cargo_wasm(
        "build",
        &[
            "-p",
            "im-web",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "web",
        ],
        &[],
    )?;
    let out = out_dir();
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let wasm = project_root().join("target/wasm32-unknown-unknown/web/im_web.wasm");
    let (wasm, out_text) = (path_text(&wasm)?, path_text(&out)?);
    run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--out-dir",
            &out_text,
            "--out-name",
            "im_web",
            &wasm,
        ],
        &[],
    )?;
    let js = project_root().join("im-web/js");
    for file in ["index.js", "index.d.ts", "worker.js", "package.json"] {
        copy(&js.join(file), &out.join(file))?;
    }
    let page = project_root().join("im-web/page");
    for entry in std::fs::read_dir(&page).map_err(|e| format!("{}: {e}", page.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        copy(&entry.path(), &out.join(entry.file_name()))?;
    }
    report_sizes(&out)
}

/// A path as text (the tools take UTF-8 arguments).
pub fn path_text(path: &Path) -> Result<String, String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {}: {e}", from.display()))
}

fn check_wasm_bindgen() -> Result<(), String> {
    let version = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match version {
        Some(v) if v.ends_with(WASM_BINDGEN) => Ok(()),
        found => Err(format!(
            "wasm-bindgen {WASM_BINDGEN} is needed (found {found:?}): \
             cargo install wasm-bindgen-cli --version ={WASM_BINDGEN}"
        )),
    }
}

/// Prints what a page downloads: the wasm module and the JavaScript.
fn report_sizes(out: &Path) -> Result<(), String> {
    let mut raw = 0;
    let mut gzipped = 0;
    for file in ["im_web_bg.wasm", "im_web.js", "index.js", "worker.js"] {
        let bytes = std::fs::read(out.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).map_err(|e| e.to_string())?;
        let zipped = gz.finish().map_err(|e| e.to_string())?.len();
        eprintln!("{file:>16}: {:>9} bytes, {zipped:>9} gzipped", bytes.len());
        raw += bytes.len();
        gzipped += zipped;
    }
    eprintln!(
        "{:>16}: {raw:>9} bytes, {gzipped:>9} gzipped",
        "a page loads"
    );
    eprintln!("built {}", out.display());
    Ok(())
}
