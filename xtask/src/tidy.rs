//! Dependency-layer rules, checked from `cargo metadata`.
//!
//! Each crate of the layered architecture may reach only certain crates
//! through its normal (non-dev) dependencies, transitively. A crate that
//! grows a forbidden edge fails `cargo xtask tidy` and the test below.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Crates no logic or model crate may reach: storage engines, network
/// stacks and async runtimes belong to backends and facades.
const BACKEND_CRATES: &[&str] = &[
    "rusqlite",
    "libsqlite3-sys",
    "sled",
    "hyper",
    "tokio",
    "reqwest",
    "h2",
];

/// (crate, the only workspace crates it may name in its own manifest).
/// im-cli is an app of the SDK: the facade and the types its API shows
/// (model, message events, the HTTP transport) and the server, never the
/// stores or logic crates behind the facade.
const DIRECT_RULES: &[(&str, &[&str])] = &[
    (
        "im-cli",
        &["im-model", "im-msg", "im-transport", "im-sdk", "im-server"],
    ),
    // The C API: a thin layer over the SDK and the transport it configures.
    ("im-ffi", &["im-sdk", "im-transport"]),
    // The browser SDK: the facade, the transport and store it configures
    // (fetch, SQLite on OPFS), and the types its API shows.
    (
        "im-web",
        &[
            "im-model",
            "im-store",
            "im-store-sqlite",
            "im-sdk",
            "im-transport",
        ],
    ),
];

/// The one crate allowed `unsafe` code; every other one takes the
/// workspace lints, which forbid it.
const UNSAFE_CRATE: &str = "im-ffi";

/// (crate, workspace crates it may depend on, whether backend crates are forbidden).
const RULES: &[(&str, &[&str], bool)] = &[
    ("im-model", &[], true),
    ("im-store", &["im-model"], true),
    ("im-conv", &["im-model", "im-store"], true),
    ("im-transport", &["im-model"], true),
    ("im-msg", &["im-model", "im-store", "im-transport"], true),
    ("im-store-sqlite", &["im-model", "im-store"], false),
    ("im-store-sled", &["im-model", "im-store"], false),
    ("im-server", &["im-model"], false),
    // An app: what the SDK and the server bring, never the C API (its
    // direct dependencies are narrower: DIRECT_RULES).
    (
        "im-cli",
        &[
            "im-model",
            "im-store",
            "im-store-sqlite",
            "im-store-sled",
            "im-conv",
            "im-transport",
            "im-msg",
            "im-sdk",
            "im-server",
        ],
        false,
    ),
    (
        "im-sdk",
        &[
            "im-model",
            "im-store",
            "im-store-sqlite",
            "im-store-sled",
            "im-conv",
            "im-transport",
            "im-msg",
        ],
        false,
    ),
    (
        "im-web",
        &[
            "im-model",
            "im-store",
            "im-store-sqlite",
            "im-conv",
            "im-transport",
            "im-msg",
            "im-sdk",
        ],
        false,
    ),
    (
        "im-ffi",
        &[
            "im-model",
            "im-store",
            "im-store-sqlite",
            "im-store-sled",
            "im-conv",
            "im-transport",
            "im-msg",
            "im-sdk",
        ],
        false,
    ),
];

/// Edges that exist only behind a cargo feature of a logic-layer crate
/// (im-transport's `http` backend). The unified workspace graph shows them
/// whenever any crate enables the feature, so they are dropped from it, and
/// [`check`] proves with `cargo tree` that the crate without the feature
/// reaches no backend crate.
const FEATURE_GATED: &[(&str, &str, &[&str])] = &[
    (
        "im-transport",
        "http",
        &[
            "hyper",
            "hyper-util",
            "http-body-util",
            "tokio",
            "bytes",
            "fastrand",
            "tracing",
            "serde_json",
        ],
    ),
    // The browser backend (fetch).
    (
        "im-transport",
        "fetch",
        &[
            "tokio",
            "fastrand",
            "tracing",
            "serde_json",
            "wasm-bindgen",
            "wasm-bindgen-futures",
            "js-sys",
            "web-sys",
            "send_wrapper",
            "gloo-timers",
        ],
    ),
];

/// The direct external dependencies im-model may have: it is the wire
/// model servers reuse, so it stays small.
/// (`web-time` is the clock's source in a browser only, where
/// `SystemTime::now` panics.)
const MODEL_DIRECT_DEPS: &[&str] = &["serde", "serde_json", "thiserror", "bitflags", "web-time"];

/// Checks every rule; the error lists each violation.
pub fn check(root: &Path) -> Result<(), String> {
    let output = Command::new("cargo")
        .args(["metadata", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("bad metadata: {e}"))?;
    let mut violations = violations(&metadata);
    violations.extend(unsafe_outside_ffi(&metadata));
    for (krate, feature, _) in FEATURE_GATED {
        violations.extend(backends_without_features(root, krate, feature)?);
    }
    violations.extend(notify_in_store(&root.join("im-server/src/store")));
    if violations.is_empty() {
        eprintln!("tidy: dependency rules hold");
        Ok(())
    } else {
        Err(format!(
            "dependency rules broken:\n  {}",
            violations.join("\n  ")
        ))
    }
}

/// Store files that send a PostgreSQL notification: inside a write
/// transaction, one serializes every commit of the cluster (the fan-out
/// publishes after the commit instead; `im-server/src/fanout`).
fn notify_in_store(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&path).is_ok_and(|text| {
                    // Code, not the comments that say why there is none.
                    text.lines()
                        .filter(|line| !line.trim_start().starts_with("//"))
                        .map(str::to_uppercase)
                        .any(|line| line.contains("PG_NOTIFY") || line.contains("NOTIFY "))
                })
            {
                found.push(format!(
                    "{} sends a NOTIFY: publish through the fan-out, after the commit",
                    path.display()
                ));
            }
        }
    }
    found
}

/// Workspace crates other than [`UNSAFE_CRATE`] whose manifest does not
/// take the workspace lints (`unsafe_code = "forbid"`).
fn unsafe_outside_ffi(metadata: &Value) -> Vec<String> {
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(id)))
        .filter(|p| p["name"] != UNSAFE_CRATE)
        .filter_map(|p| {
            let name = p["name"].as_str()?;
            let manifest = std::fs::read_to_string(p["manifest_path"].as_str()?).ok()?;
            let forbids = manifest.contains("[lints]\nworkspace = true");
            (!forbids).then(|| format!("{name} must take the workspace lints (no unsafe code)"))
        })
        .collect()
}

/// The backend crates `krate` reaches when built alone without features
/// (cargo resolves features per selected package).
fn backends_without_features(
    root: &Path,
    krate: &str,
    feature: &str,
) -> Result<Vec<String>, String> {
    let output = Command::new("cargo")
        .args(["tree", "-p", krate, "-e", "normal", "--prefix", "none"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let reached: BTreeSet<&str> = tree.lines().filter_map(|l| l.split(' ').next()).collect();
    Ok(BACKEND_CRATES
        .iter()
        .filter(|b| reached.contains(**b))
        .map(|b| format!("{krate} without its `{feature}` feature must not depend on {b}"))
        .collect())
}

/// Normal-dependency graph by package name, from `resolve.nodes`.
fn normal_graph(metadata: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeMap<&str, &str> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let mut graph = BTreeMap::new();
    for node in metadata["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let Some(name) = node["id"].as_str().and_then(|id| names.get(id)) else {
            continue;
        };
        let deps = node["deps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k["kind"].is_null())
            })
            .filter_map(|d| d["pkg"].as_str().and_then(|id| names.get(id)))
            .map(|n| (*n).to_owned())
            .collect();
        graph.insert((*name).to_owned(), deps);
    }
    graph
}

fn closure(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.to_owned()];
    while let Some(name) = stack.pop() {
        for dep in graph.get(&name).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    seen
}

fn violations(metadata: &Value) -> Vec<String> {
    let mut graph = normal_graph(metadata);
    for (krate, _, gated) in FEATURE_GATED {
        if let Some(deps) = graph.get_mut(*krate) {
            deps.retain(|d| !gated.contains(&d.as_str()));
        }
    }
    let mut out = Vec::new();
    for (krate, allowed, no_backends) in RULES {
        if !graph.contains_key(*krate) {
            out.push(format!("{krate} is missing from the workspace"));
            continue;
        }
        let reach = closure(&graph, krate);
        for dep in &reach {
            if dep.starts_with("im-") && !allowed.contains(&dep.as_str()) {
                out.push(format!("{krate} must not depend on {dep}"));
            }
            if *no_backends && BACKEND_CRATES.contains(&dep.as_str()) {
                out.push(format!("{krate} must not depend on {dep} (backend crate)"));
            }
        }
    }
    for (krate, allowed) in DIRECT_RULES {
        for dep in graph.get(*krate).into_iter().flatten() {
            if dep.starts_with("im-") && !allowed.contains(&dep.as_str()) {
                out.push(format!("{krate} must not name {dep} as a dependency"));
            }
        }
    }
    for dep in graph.get("im-model").into_iter().flatten() {
        if !MODEL_DIRECT_DEPS.contains(&dep.as_str()) {
            out.push(format!("im-model must not depend on {dep}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_workspace_follows_dependency_rules() {
        check(&crate::project_root()).unwrap();
    }

    /// Metadata holding every crate of `RULES` with no dependencies, plus
    /// `extra` packages and `edges` (from, to, kind).
    fn metadata(extra: &[&str], edges: &[(&str, &str, Option<&str>)]) -> Value {
        let names: Vec<&str> = RULES
            .iter()
            .map(|(n, _, _)| *n)
            .chain(extra.iter().copied())
            .collect();
        let packages: Vec<Value> = names
            .iter()
            .map(|n| serde_json::json!({"id": n, "name": n}))
            .collect();
        let nodes: Vec<Value> = names
            .iter()
            .map(|n| {
                let deps: Vec<Value> = edges
                    .iter()
                    .filter(|(from, _, _)| from == n)
                    .map(|(_, to, kind)| serde_json::json!({"pkg": to, "dep_kinds": [{"kind": kind}]}))
                    .collect();
                serde_json::json!({"id": n, "deps": deps})
            })
            .collect();
        serde_json::json!({"packages": packages, "resolve": {"nodes": nodes}})
    }

    #[test]
    fn test_a_forbidden_edge_is_reported() {
        let m = metadata(
            &["rusqlite"],
            &[
                ("im-store", "im-model", None),
                ("im-conv", "im-store", None),
                ("im-conv", "rusqlite", None),
            ],
        );
        assert_eq!(
            violations(&m),
            ["im-conv must not depend on rusqlite (backend crate)"]
        );
        let layered = metadata(&[], &[("im-transport", "im-store", None)]);
        assert_eq!(
            violations(&layered),
            ["im-transport must not depend on im-store"]
        );
    }

    #[test]
    fn test_an_app_reaches_the_logic_only_through_the_facade() {
        let through_facade = metadata(
            &[],
            &[("im-cli", "im-sdk", None), ("im-sdk", "im-conv", None)],
        );
        assert!(violations(&through_facade).is_empty());
        let direct = metadata(&[], &[("im-cli", "im-conv", None)]);
        assert_eq!(
            violations(&direct),
            ["im-cli must not name im-conv as a dependency"]
        );
    }

    #[test]
    fn test_a_notify_in_the_server_store_is_reported() {
        let dir = std::env::temp_dir().join(format!("tidy-notify-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("postgres")).unwrap();
        std::fs::write(dir.join("ok.rs"), "// no NOTIFY inside a transaction\n").unwrap();
        assert!(notify_in_store(&dir).is_empty());
        std::fs::write(
            dir.join("postgres/bad.rs"),
            "tx.execute(\"SELECT pg_notify('x', $1)\", &[&p])?;\n",
        )
        .unwrap();
        let found = notify_in_store(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("bad.rs"));
        assert!(notify_in_store(&crate::project_root().join("im-server/src/store")).is_empty());
    }

    #[test]
    fn test_dev_dependencies_are_allowed() {
        let m = metadata(&["tokio"], &[("im-conv", "tokio", Some("dev"))]);
        assert!(violations(&m).is_empty());
    }
}
