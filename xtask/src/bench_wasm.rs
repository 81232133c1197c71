//! newsmark as WebAssembly: the package `cargo xtask wasm` builds into
//! `www/pkg/`, its sizes, and its timing in Node and in headless Chromium.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::peers::node_script;
use crate::util::{root, Result};

/// The wasm package folder.
pub fn pkg() -> PathBuf {
    root().join("www/pkg")
}

/// Builds the release package through `cargo xtask wasm` (same code path).
pub fn build() -> Result {
    crate::tooling::wasm(&[])
}

/// Checks the package has the files the drivers load.
pub fn check_pkg() -> Result {
    for f in ["newsmark.js", "newsmark_bg.wasm"] {
        if !pkg().join(f).exists() {
            return Err(format!(
                "{} is missing: run `cargo xtask wasm`",
                pkg().join(f).display()
            )
            .into());
        }
    }
    Ok(())
}

/// Raw, gzip and brotli sizes of the .wasm, the JS glue (also minified) and
/// every model file in `models/` (brotli at `brotli_quality`, 0..=11).
pub fn sizes(brotli_quality: u32) -> Result<Value> {
    let mut files: Vec<PathBuf> = vec![pkg().join("newsmark_bg.wasm"), pkg().join("newsmark.js")];
    let mut models: Vec<PathBuf> = std::fs::read_dir(root().join("models"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "nmm"))
        .collect();
    models.sort();
    files.extend(models);
    let args: Vec<String> = ["--brotli-quality".to_string(), brotli_quality.to_string()]
        .into_iter()
        .chain(
            files
                .iter()
                .filter(|p| p.exists())
                .map(|p| p.display().to_string()),
        )
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let v = node_script("sizes.mjs", &args)?;
    // Paths relative to the repository, as the report shows them.
    let prefix = format!("{}/", root().display());
    let mut rows = v.as_array().cloned().unwrap_or_default();
    for r in &mut rows {
        if let Some(f) = r["file"].as_str() {
            r["file"] = Value::from(f.trim_start_matches(&prefix));
        }
    }
    Ok(Value::Array(rows))
}

/// The package timed in Node over the slice (`bench/wasm_node.mjs`).
pub fn node(slice: &Path, runs: usize, memory_bytes: usize) -> Result<Value> {
    node_script(
        "wasm_node.mjs",
        &[
            "--pkg",
            &pkg().display().to_string(),
            "--data",
            &slice.display().to_string(),
            "--runs",
            &runs.to_string(),
            "--memory-bytes",
            &memory_bytes.to_string(),
        ],
    )
}

/// The package timed inside headless Chromium (`bench/chromium.mjs` driving
/// `bench/page/`); `slice` must lie inside the repository (it is served).
pub fn chromium(slice: &Path, runs: usize, memory_bytes: usize) -> Result<Value> {
    let rel = slice
        .strip_prefix(root())
        .map_err(|_| format!("{} is not inside the repository", slice.display()))?;
    node_script(
        "chromium.mjs",
        &[
            "--root",
            &root().display().to_string(),
            "--data",
            &format!("/{}", rel.display()),
            "--runs",
            &runs.to_string(),
            "--memory-bytes",
            &memory_bytes.to_string(),
        ],
    )
}
