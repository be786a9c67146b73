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

/// Builds the bundle.
pub fn build() -> Result<(), String> {
    check_wasm_bindgen()?;
    run(
        "cargo",
        &[
            "build",
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
