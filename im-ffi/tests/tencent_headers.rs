//! A C++ program built on Tencent's own current headers (the 8.0.5906
//! Linux headers of the npm package `im_electron_sdk`, fetched with npm
//! into the target folder, never committed) takes the address of every
//! function they declare and links against `libImSDK.so`: an app or
//! wrapper built on those headers loads. The headers are C++ (enums used
//! without `enum`), as Tencent's wrappers compile them.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "im_electron_sdk@8.0.5906";

/// Tencent's 8.0.5906 Linux include folder, fetched once per target folder.
fn tencent_headers() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tencent-8.0.5906");
    let include = dir.join("package/lib/linux/include");
    if include.join("TIMCloud.h").exists() {
        return include;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let packed = Command::new("npm")
        .args(["pack", PACKAGE, "--silent", "--pack-destination"])
        .arg(&dir)
        .output()
        .expect("npm is needed for this test (Node.js; .ci/run installs it)");
    assert!(
        packed.status.success(),
        "npm pack {PACKAGE} failed: {}",
        String::from_utf8_lossy(&packed.stderr)
    );
    let tarball = dir.join("im_electron_sdk-8.0.5906.tgz");
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&dir)
        .arg("package/lib/linux/include")
        .status()
        .unwrap();
    assert!(status.success(), "unpacking {}", tarball.display());
    std::fs::remove_file(&tarball).unwrap();
    include
}

/// The functions Tencent's headers in `include` declare (`TIM_API ... name(`).
fn declared_functions(include: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(include).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "h") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for line in text.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("TIM_API ") else {
                continue;
            };
            let Some(before_paren) = rest.split('(').next().filter(|_| rest.contains('(')) else {
                continue;
            };
            let name = before_paren.rsplit([' ', '*']).next().unwrap_or_default();
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

/// The functions of our table (`abi/functions.txt`).
fn table_functions() -> BTreeSet<String> {
    let table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("abi/functions.txt"))
            .unwrap();
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let prototype = l.split('\t').nth(1)?;
            let before = prototype.split('(').next()?;
            Some(before.rsplit([' ', '*']).next()?.to_owned())
        })
        .collect()
}

#[test]
fn test_a_program_on_tencents_8x_headers_links_every_function() {
    let include = tencent_headers();
    let declared = declared_functions(&include);
    assert!(declared.len() >= 240, "{} functions parsed", declared.len());
    let table = table_functions();
    let missing: Vec<&String> = declared.difference(&table).collect();
    assert!(missing.is_empty(), "not in abi/functions.txt: {missing:?}");

    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("tencent_8x.cpp");
    let mut program = String::from("#include \"TIMCloud.h\"\n#include <cstdio>\n");
    program.push_str("int main() {\n  void *functions[] = {\n");
    for name in &declared {
        program.push_str(&format!("    reinterpret_cast<void *>(&{name}),\n"));
    }
    program.push_str(
        "  };\n  std::printf(\"%zu functions\\n\", sizeof functions / sizeof functions[0]);\n  return 0;\n}\n",
    );
    std::fs::write(&source, program).unwrap();
    let binary = work.path().join("tencent_8x");
    let lib = support::library_dir();
    let compiled = Command::new(std::env::var("CXX").unwrap_or_else(|_| "c++".into()))
        .arg("-w")
        .arg("-I")
        .arg(&include)
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-Wl,--disable-new-dtags")
        .arg("-lImSDK")
        .output()
        .expect("a C++ compiler (c++) is needed: apt-get install g++");
    assert!(
        compiled.status.success(),
        "building on Tencent's 8.x headers failed:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let output = support::run_ok(Command::new(&binary));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{} functions", declared.len())
    );
}
